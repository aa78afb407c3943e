// Every module's routes, in one list. A module adds its routes.ts export here.
import type { AnyRoute, RouteDeps } from './route.js';
import { coreRoutes } from './core-routes.js';
import { teamRoutes } from '../modules/team/routes.js';
import { mailRoutes } from '../modules/mail/routes.js';
import { portalRoutes } from '../modules/portal/routes.js';
import { learningRoutes } from '../modules/learning/routes.js';
import { audienceRoutes } from '../modules/audience/routes.js';
import { catalogRoutes } from '../modules/catalog/routes.js';
import { siteRoutes, siteImageRoutes } from '../modules/site/routes.js';
import { checkoutRoutes } from '../modules/checkout/routes.js';
import { webhookRoutes } from '../modules/webhooks/routes.js';
import { brandRoutes } from '../modules/brand/routes.js';
// The account page's sections, one per module that has something to show a customer.
import { coursesSection } from '../modules/learning/portal-section.js';
import { purchasesSection } from '../modules/checkout/portal-section.js';
import { emailPreferencesSection } from '../modules/audience/portal-section.js';
import { analyticsRoutes } from '../modules/analytics/routes.js';
import { automationRoutes } from '../modules/automation/routes.js';
import { contentRoutes } from '../modules/content/routes.js';
import { supportRoutes } from '../modules/support/routes.js';
import { approvalRoutes } from '../modules/approvals/routes.js';
import { tasksRoutes } from '../modules/tasks/routes.js';
import { ownerRoutes } from '../modules/owner/routes.js';

// Typed with what the wiring hands them: a module's routes fit here only if RouteDeps (the App and
// the demo loader) provides every dependency its `…RouteDeps` names (handlers are contravariant).
export const allRoutes: AnyRoute<RouteDeps>[] = [
  ...coreRoutes,
  ...teamRoutes,
  ...mailRoutes,
  ...portalRoutes<RouteDeps>([coursesSection, purchasesSection, emailPreferencesSection]),
  ...learningRoutes,
  ...audienceRoutes,
  ...catalogRoutes,
  ...siteRoutes,
  ...siteImageRoutes,
  ...checkoutRoutes,
  ...webhookRoutes,
  ...brandRoutes,
  ...analyticsRoutes,
  ...automationRoutes,
  ...contentRoutes,
  ...supportRoutes,
  ...approvalRoutes,
  ...tasksRoutes,
  ...ownerRoutes,
];
