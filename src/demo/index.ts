// The demo business: what a newcomer sees on first start. Every module adds its part
// (products, contacts, orders, traffic, history) as a seed below; loading runs once.
import type { App } from '../app.js';
import { getSetting, putSetting } from '../db/secrets.js';
import { createRandom, type DemoContext } from './random.js';
import { seedTeamDemo } from '../modules/team/demo.js';
import { seedMailDemo } from '../modules/mail/demo.js';
import { seedLearningDemo, seedLearningProgress } from '../modules/learning/demo.js';
import { seedSellDemo } from '../modules/checkout/demo.js';
import { seedAudienceDemo } from '../modules/audience/demo.js';
import { seedWebhooksDemo } from '../modules/webhooks/demo.js';
import { seedBrandDemo } from '../modules/brand/demo.js';
import { seedAnalyticsDemo } from '../modules/analytics/demo.js';
import { seedAutomationDemo } from '../modules/automation/demo.js';
import { seedContentDemo } from '../modules/content/demo.js';
import { seedTasksDemo } from '../modules/tasks/demo.js';
import { seedOwnerDemo } from '../modules/owner/demo.js';
import { seedSupportDemo } from '../modules/support/demo.js';

export interface DemoSeed {
  name: string;
  seed(app: App, ctx: DemoContext): Promise<void>;
}

/** In dependency order: later seeds may use what earlier ones made (ctx.shared). */
export const demoSeeds: DemoSeed[] = [
  { name: 'team', seed: seedTeamDemo },
  // first of the business: every page, email and certificate after it wears the brand
  { name: 'brand', seed: seedBrandDemo },
  { name: 'learning', seed: seedLearningDemo },
  // products (course products from ctx.shared.courses when present), pages, a year of orders; leaves ctx.shared.customers, ctx.shared.products
  { name: 'sell', seed: seedSellDemo },
  // after sell (it tags and lists ctx.shared.customers when present), before mail
  { name: 'audience', seed: seedAudienceDemo },
  // after audience (its contacts and lists): a year of broadcasts, a scheduled one, transactional history
  { name: 'mail', seed: seedMailDemo },
  // after audience and sell (form sign-ups, customers): three live workflows and a year of their runs
  { name: 'automation', seed: seedAutomationDemo },
  // after sell (its customers and orders) and team (the support assistant): conversations, canned replies, a refund awaiting approval
  { name: 'support', seed: seedSupportDemo },
  // runs last: progress for everyone who holds a course grant by then
  { name: 'learning-progress', seed: seedLearningProgress },
  // after the history it reports on: two endpoints (one turned off) and their delivery log
  { name: 'webhooks', seed: seedWebhooksDemo },
  // after team, sell and audience (the writer, products, forms), before analytics (which sends traffic to the posts)
  { name: 'content', seed: seedContentDemo },
  // after sell (its product pages) and content (its posts): a year of traffic, rolled up
  { name: 'analytics', seed: seedAnalyticsDemo },
  // after team and learning (its assistants, a course to review): four SOPs, five recurring tasks and a year of them done
  { name: 'tasks', seed: seedTasksDemo },
  // last: the owner's hand work, measured against everyone else's, and the first daily check
  { name: 'owner', seed: seedOwnerDemo },
];

/** Loads the demo once. Returns false when it was already loaded. Needs an owner. */
export async function loadDemo(app: App): Promise<boolean> {
  if (await getSetting<boolean>(app.db, 'demo_loaded')) return false;
  const [owner] = await app.team.listUsers().then((users) => users.filter((u) => u.role === 'owner'));
  if (!owner) throw new Error('Create the owner account before loading the demo');
  const ctx: DemoContext = { owner, now: app.clock.now(), random: createRandom(20261121), shared: {} };
  for (const seed of demoSeeds) {
    app.log.info({ seed: seed.name }, 'loading demo data');
    await seed.seed(app, ctx);
  }
  await putSetting(app.db, 'demo_loaded', true, app.clock.now());
  return true;
}
