-- Data change apart from the schema change (0001): fill events.contact_id for events recorded
-- before the column existed, with the rule EventLog applies when recording (contactOf in
-- src/db/event-catalog.ts): the subject when it is a contact, else data.contactId, else the
-- acting customer.
UPDATE "events"
   SET "contact_id" = COALESCE(
         CASE WHEN "subject_type" = 'contact' THEN "subject_id" END,
         NULLIF("data"->>'contactId', ''),
         CASE WHEN "actor_kind" = 'customer' THEN "actor_id" END)
 WHERE "contact_id" IS NULL;
