// Every module's routes, in one list. A module adds its routes.ts export here.
import type { AnyRoute } from './route.js';
import { coreRoutes } from './core-routes.js';
import { teamRoutes } from '../modules/team/routes.js';
import { mailRoutes } from '../modules/mail/routes.js';
import { portalRoutes } from '../modules/portal/routes.js';
import { learningRoutes } from '../modules/learning/routes.js';
import { audienceRoutes } from '../modules/audience/routes.js';
import { catalogRoutes } from '../modules/catalog/routes.js';
import { siteRoutes } from '../modules/site/routes.js';
import { checkoutRoutes } from '../modules/checkout/routes.js';
import { automationRoutes } from '../modules/automation/routes.js';

export const allRoutes: AnyRoute[] = [
  ...coreRoutes,
  ...teamRoutes,
  ...mailRoutes,
  ...portalRoutes,
  ...learningRoutes,
  ...audienceRoutes,
  ...catalogRoutes,
  ...siteRoutes,
  ...checkoutRoutes,
  ...automationRoutes,
];
