// The one catalog of every event type Onehour records, assembled from each module's
// `events.ts` (declarations live with the module that records them). `EventLog.recordInTx`
// validates against it; subscribers and outbound webhooks can rely on its shapes.
// A new module adds its declarations here (and augments `EventTypes` in its events.ts).
import { EventCatalog } from './db/event-catalog.js';
import { teamEvents } from './modules/team/index.js';
import { portalEvents } from './modules/portal/index.js';
import { accessEvents } from './modules/access/index.js';
import { siteEvents } from './modules/site/index.js';
import { catalogEvents } from './modules/catalog/index.js';
import { audienceEvents } from './modules/audience/index.js';
import { mailEvents } from './modules/mail/index.js';
import { learningEvents } from './modules/learning/index.js';
import { checkoutEvents } from './modules/checkout/index.js';
import { webhookEvents } from './modules/webhooks/index.js';
import { brandEvents } from './modules/brand/index.js';
import { automationEvents } from './modules/automation/index.js';
import { contentEvents } from './modules/content/index.js';
import { supportEvents } from './modules/support/index.js';
import { approvalEvents } from './modules/approvals/index.js';
import { taskEvents } from './modules/tasks/index.js';
import { ownerEvents } from './modules/owner/index.js';

export const eventCatalog = new EventCatalog(
  teamEvents,
  portalEvents,
  accessEvents,
  siteEvents,
  catalogEvents,
  audienceEvents,
  mailEvents,
  learningEvents,
  checkoutEvents,
  webhookEvents,
  brandEvents,
  automationEvents,
  contentEvents,
  supportEvents,
  approvalEvents,
  taskEvents,
  ownerEvents,
);
