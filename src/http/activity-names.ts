// Names for the Activity list: what an event's subject and a customer actor are called (a
// course's title, a person's name, order #1042) instead of their ids. Each name comes from
// the module that owns it, through its service; a subject deleted since is simply left out.
import type { App } from '../app.js';
import type { EventRecord } from '../db/events.js';
import { can, type Permission, type Role } from '../permissions.js';

type Resolver = (app: App, id: string) => Promise<string | undefined>;

/** Everyone may read Activity; a name is only given to a role that may read what it names. */
const needs: Record<string, Permission> = {
  contact: 'contacts.read',
  course: 'learning.read',
  lesson: 'learning.read',
  product: 'catalog.read',
  broadcast: 'mail.read',
  page: 'catalog.read',
  order: 'orders.read',
};

const resolvers: Record<string, Resolver> = {
  contact: async (app, id) => {
    const c = await app.audience.getContact(app.db, id);
    return c.name || c.email;
  },
  course: async (app, id) => (await app.learning.getCourseRow(app.db, id)).title,
  lesson: async (app, id) => (await app.learning.getLesson(id)).title,
  product: async (app, id) => (await app.catalog.getProduct(app.db, id)).name,
  broadcast: async (app, id) => (await app.mail.broadcasts.get(id)).name,
  page: async (app, id) => `/p/${(await app.site.getPage(app.db, id)).slug}`,
  order: async (app, id) => `#${(await app.checkout.queries.getOrder(app.db, id)).number}`,
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `"<type>:<id>"` → name, for the subjects and customer actors of these events. */
export async function activityNames(app: App, role: Role, events: EventRecord[]): Promise<Record<string, string>> {
  const wanted = new Map<string, [string, string]>();
  for (const e of events) {
    if (e.subjectType && e.subjectId && resolvers[e.subjectType]) wanted.set(`${e.subjectType}:${e.subjectId}`, [e.subjectType, e.subjectId]);
    if (e.actorKind === 'customer' && e.actorId) wanted.set(`contact:${e.actorId}`, ['contact', e.actorId]);
  }
  const names: Record<string, string> = {};
  for (const [key, [type, id]] of wanted) {
    if (!uuid.test(id) || !can(role, needs[type]!)) continue;
    const name = await resolvers[type]!(app, id).catch(() => undefined);
    if (name) names[key] = name;
  }
  return names;
}
