// The one-click opt-out of overdue task reminders (RFC 8058): no sign-in, the signed token in
// the URL names the team member. GET shows a confirm button (a link scanner changes nothing);
// POST — the mail app's one-click, or the button — turns reminders off. A forged or altered
// token is a 400 page and changes nothing. Rate-limited per IP like the other public forms.
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { sendPage } from '../../http/html.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { MailService } from '../mail/index.js';
import type { TasksService } from './index.js';
import { InvalidLinkPage } from '../../../web/public/mail/pages.js';
import { RemindersOffConfirmPage, RemindersOffPage } from '../../../web/public/tasks/pages.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface TasksPublicRouteDeps {
  mail: MailService;
  tasks: TasksService;
}
const defineRoute = routesFor<TasksPublicRouteDeps>();

const tokenQuery = z.object({ token: z.string().max(400).default('') });
const siteName = async (app: { mail: { settings(): Promise<{ businessName: string }> } }) => (await app.mail.settings()).businessName;

export const tasksPublicRoutes: AnyRoute<TasksPublicRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/t/task-reminders/off', access: 'public', kind: 'page', rateLimit: 'forms',
    summary: "An overdue reminder's opt-out link: a confirm button (the POST turns reminders off)",
    query: tokenQuery,
    handler: async ({ app, reply, query }) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      try {
        const person = await app.tasks.remindersOffTarget(query.token);
        return sendPage(reply, <RemindersOffConfirmPage action={`/t/task-reminders/off?token=${encodeURIComponent(query.token)}`} name={person.name} siteName={await siteName(app)} />);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return sendPage(reply, <InvalidLinkPage message={err.message} siteName={await siteName(app)} />, 400);
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'POST', url: '/t/task-reminders/off', access: 'public', kind: 'page', rateLimit: 'forms', audit: false,
    summary: 'Turn overdue task reminders off: RFC 8058 one-click POST from mail apps (no cookies, no sign-in), or the confirm button',
    query: tokenQuery,
    handler: async ({ app, reply, query }) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      try {
        await app.tasks.turnOffRemindersByToken(query.token);
        return sendPage(reply, <RemindersOffPage siteName={await siteName(app)} />);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return sendPage(reply, <InvalidLinkPage message={err.message} siteName={await siteName(app)} />, 400);
        throw err;
      }
    },
  }),
];
