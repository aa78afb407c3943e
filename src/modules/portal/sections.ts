// What the customer's account page shows: each module contributes a section (purchases
// and downloads, courses, email preferences …). Add a module's section to this list.
import type { ReactNode } from 'react';
import type { App } from '../../app.js';
import { coursesSection } from '../learning/portal-section.js';
import { purchasesSection } from '../checkout/portal-section.js';
import { emailPreferencesSection } from '../audience/portal-section.js';

export interface PortalSection {
  id: string;
  title: string;
  /** lower comes first */
  order: number;
  /** null when the section has nothing for this customer; ctx.csrf goes in a section's own forms (_csrf) */
  render(app: App, contactId: string, ctx: { csrf: string; query: Record<string, string | undefined> }): Promise<ReactNode | null>;
}

export const portalSections: PortalSection[] = [coursesSection, purchasesSection, emailPreferencesSection];
