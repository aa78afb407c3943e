// Names of audience's read-only views (schema.ts, made by its migrations) for other modules'
// SQL: the mail engine's hot statements read contacts and list subscriptions through them, never
// through audience's tables.

/** `audience_contacts_view (id, email, email_normalized, name, status, fields)` */
export const CONTACTS_VIEW = 'audience_contacts_view';
/** `audience_list_subscriptions_view (contact_id, list_id, status)` */
export const LIST_SUBSCRIPTIONS_VIEW = 'audience_list_subscriptions_view';
