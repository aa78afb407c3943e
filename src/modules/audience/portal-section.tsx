// The "Email preferences" section of the customer account page.
import type { PortalSection } from '../../http/customer.js';
import type { AudienceService } from './service.js';
import { Notice } from '../../../web/public/layout.js';
import { PreferencesForm } from '../../../web/public/audience/pages.js';

const saved: Record<string, string> = {
  save: 'Your email choices are saved.',
  unsubscribe_all: 'You are unsubscribed from all marketing email.',
  resubscribe: 'You are subscribed again.',
};

export const emailPreferencesSection: PortalSection<{ audience: AudienceService }> = {
  id: 'email-preferences',
  title: 'Email preferences',
  order: 90,
  async render(app, contactId, ctx) {
    const prefs = await app.audience.preferencesFor(contactId);
    const message = ctx.query.email ? saved[ctx.query.email] : undefined;
    return (
      <>
        {message ? <Notice kind="success">{message}</Notice> : null}
        <PreferencesForm prefs={prefs} action="/account/email-preferences" hidden={{ _csrf: ctx.csrf }} headingLevel="h3" />
      </>
    );
  },
};
