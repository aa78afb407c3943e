// The admin's API types are the server's response schemas (the contract.ts files) as they
// arrive over JSON. This proves the two ends are bound: the routes the admin calls answer
// through those very schemas. What the types refuse is checked by tsc: api-contract.types.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { allRoutes } from '../src/http/routes.js';
import * as audience from '../src/modules/audience/contract.js';
import * as site from '../src/modules/site/contract.js';
import { auditShape, eventShape } from '../src/http/contract.js';
import { apiKeyShape, deviceSessionShape, invitationPeekShape, invitationShape, sessionStateShape, userShape, type User } from '../src/modules/team/contract.js';
import { forecastShape, ownerSettingsShape, reviewShape } from '../src/modules/owner/contract.js';
import { courseBody, courseShape, enrollmentShape, fileShape, freshnessShape, lessonBody, lessonShape, statsShape as courseStatsShape, treeShape } from '../src/modules/learning/contract.js';
import {
  checkoutStatusShape,
  customerDetailShape,
  customerListShape,
  orderDetailShape,
  orderListShape,
  reconcileResultShape,
  reconciliationRunsShape,
  refundBody,
  refundRetryShape,
  refundsShape,
  subscriptionListShape,
} from '../src/modules/checkout/contract.js';
import {
  catalogDefaultsShape,
  couponBody,
  couponListShape,
  couponPatchBody,
  couponShape,
  offerBody,
  offerListShape,
  offerPatchBody,
  offerShape,
  priceBody,
  pricePatchBody,
  priceShape,
  productBody,
  productDetailShape,
  productFileShape,
  productListShape,
  productPatchBody,
} from '../src/modules/catalog/contract.js';
import { broadcastInputShape, broadcastListItemShape, broadcastShape, mailSettingsShape, mailSettingsViewShape, messageShape, messageSummaryShape, previewShape, sendCheckShape, sendLimitsViewShape, statsShape } from '../src/modules/mail/contract.js';
import * as analytics from '../src/modules/analytics/contract.js';
import * as automation from '../src/modules/automation/contract.js';
import { templates } from '../src/modules/automation/index.js';
import * as webhooks from '../src/modules/webhooks/contract.js';
import * as mail from '../src/modules/mail/contract.js';
import * as team from '../src/modules/team/contract.js';
import * as core from '../src/http/contract.js';
import * as support from '../src/modules/support/contract.js';
import * as approvals from '../src/modules/approvals/contract.js';
import * as brand from '../src/modules/brand/contract.js';
import * as content from '../src/modules/content/contract.js';
import * as tasks from '../src/modules/tasks/contract.js';
import * as learning from '../src/modules/learning/contract.js';
import * as checkout from '../src/modules/checkout/contract.js';
import * as catalog from '../src/modules/catalog/contract.js';
import { apiUrl } from '../web/admin/src/api.js';

function responseOf(method: string, url: string): z.ZodType {
  const route = allRoutes.find((r) => r.method === method && r.url === url);
  assert.ok(route?.response, `${method} ${url} has a response schema`);
  return route.response as z.ZodType;
}
/** The schema a route's response holds under `key` (an object's property, an array's items). */
function field(schema: z.ZodType, ...path: (string | 'items')[]): unknown {
  let s: unknown = schema;
  for (const key of path) s = key === 'items' ? (s as z.ZodArray).element : (s as z.ZodObject).shape[key];
  return s;
}

describe('API contract shared with the admin', () => {
  it('the routes the admin calls answer through the contract schemas', () => {
    assert.equal(responseOf('GET', '/api/auth/session'), sessionStateShape);
    assert.equal(responseOf('GET', '/api/owner/review'), reviewShape);
    assert.equal(responseOf('GET', '/api/owner/forecast'), forecastShape);
    assert.equal(responseOf('PATCH', '/api/owner/settings'), ownerSettingsShape);
    assert.equal(responseOf('POST', '/api/auth/login'), sessionStateShape);
    assert.equal(responseOf('POST', '/api/invitations/peek'), invitationPeekShape);
    assert.equal(field(responseOf('GET', '/api/team'), 'members', 'items'), userShape);
    assert.equal(field(responseOf('GET', '/api/team'), 'invitations', 'items'), invitationShape);
    assert.equal(field(responseOf('GET', '/api/api-keys'), 'apiKeys', 'items'), apiKeyShape);
    assert.equal(field(responseOf('GET', '/api/me/sessions'), 'sessions', 'items'), deviceSessionShape);
    assert.equal(field(responseOf('GET', '/api/activity'), 'events', 'items'), eventShape);
    assert.equal(field(responseOf('GET', '/api/audit'), 'entries', 'items'), auditShape);
    assert.equal(field(responseOf('GET', '/api/outbox'), 'messages', 'items'), messageSummaryShape);
    assert.equal(responseOf('GET', '/api/outbox/:id'), messageShape);
    assert.equal(field(responseOf('GET', '/api/broadcasts'), 'broadcasts', 'items'), broadcastListItemShape);
    assert.equal(responseOf('POST', '/api/broadcasts'), broadcastShape);
    assert.equal(responseOf('POST', '/api/broadcasts/preview'), previewShape);
    assert.equal(field(responseOf('GET', '/api/broadcasts/:id'), 'stats'), statsShape);
    assert.equal(responseOf('GET', '/api/mail/settings'), mailSettingsViewShape);
    assert.equal(responseOf('PATCH', '/api/mail/settings'), mailSettingsShape);
    assert.equal(responseOf('GET', '/api/broadcasts/:id/send-check'), sendCheckShape);
    assert.equal(responseOf('GET', '/api/mail/send-limits'), sendLimitsViewShape);
    assert.equal(field(responseOf('GET', '/api/learning/courses'), 'courses', 'items'), courseShape);
    assert.equal(responseOf('POST', '/api/learning/courses'), courseShape);
    assert.equal(responseOf('GET', '/api/learning/courses/:id'), treeShape);
    assert.equal(responseOf('PUT', '/api/learning/courses/:id/outline'), treeShape);
    assert.equal(responseOf('GET', '/api/learning/lessons/:id'), lessonShape);
    assert.equal(responseOf('PATCH', '/api/learning/lessons/:id'), lessonShape);
    assert.equal(responseOf('PUT', '/api/learning/lessons/:id/quiz'), lessonShape);
    assert.equal(responseOf('POST', '/api/learning/lessons/:id/attachments'), fileShape);
    // Its list is under the key `items`, which field() reads as an array's elements.
    assert.equal(((responseOf('GET', '/api/learning/freshness') as z.ZodObject).shape.items as z.ZodArray).element, freshnessShape);
    assert.equal(field(responseOf('GET', '/api/learning/courses/:id/enrollments'), 'enrollments', 'items'), enrollmentShape);
    assert.equal(responseOf('GET', '/api/learning/courses/:id/stats'), courseStatsShape);
    assert.equal(allRoutes.find((r) => r.method === 'POST' && r.url === '/api/learning/courses')?.body, courseBody, 'the course form sends what the route parses');
    assert.equal(allRoutes.find((r) => r.method === 'PATCH' && r.url === '/api/learning/lessons/:id')?.body, lessonBody, 'the lesson editor sends what the route parses');
    const create = allRoutes.find((r) => r.method === 'POST' && r.url === '/api/broadcasts');
    assert.equal(create?.body, broadcastInputShape, 'the admin sends what the route parses');
  });

  it('a response parsed by its schema and sent as JSON is what the admin type describes', () => {
    const at = new Date('2026-12-03T08:00:00.000Z');
    const parsed = userShape.parse({ id: 'u1', email: 'a@example.com', name: 'A', role: 'owner', twoFactorEnabled: false, createdAt: at, passwordHash: 'never sent' });
    const wire: User = JSON.parse(JSON.stringify(parsed));
    assert.deepEqual(wire, { id: 'u1', email: 'a@example.com', name: 'A', role: 'owner', twoFactorEnabled: false, createdAt: '2026-12-03T08:00:00.000Z' });
    assert.throws(() => userShape.parse({ ...parsed, role: 'superuser' }), 'a role outside the matrix is refused on the way out');
  });

  it('the checkout and catalog routes the Orders, Customers and Products pages call answer through their contracts', () => {
    const bodyOf = (method: string, url: string) => allRoutes.find((r) => r.method === method && r.url === url)?.body;
    // orders-api.ts
    assert.equal(responseOf('GET', '/api/orders'), orderListShape);
    assert.equal(responseOf('GET', '/api/orders/:id'), orderDetailShape);
    assert.equal(responseOf('POST', '/api/orders/:id/refunds'), refundsShape);
    assert.equal(bodyOf('POST', '/api/orders/:id/refunds'), refundBody, 'the refund form sends what the route parses');
    assert.equal(responseOf('POST', '/api/orders/:id/refunds/:refundId/retry'), refundRetryShape);
    assert.equal(responseOf('GET', '/api/customers'), customerListShape);
    assert.equal(responseOf('GET', '/api/customers/:id'), customerDetailShape);
    // An order's and a customer's history are the activity feed's events, one shape (src/event-shape.ts).
    assert.equal(field(orderDetailShape, 'events', 'items'), eventShape);
    assert.equal(field(customerDetailShape, 'events', 'items'), eventShape);
    assert.equal(responseOf('GET', '/api/subscriptions'), subscriptionListShape);
    assert.equal(responseOf('GET', '/api/checkout/status'), checkoutStatusShape);
    assert.equal(responseOf('GET', '/api/checkout/reconciliation'), reconciliationRunsShape);
    assert.equal(responseOf('POST', '/api/checkout/reconciliation'), reconcileResultShape);
    // catalog-api.ts
    assert.equal(responseOf('GET', '/api/products'), productListShape);
    assert.equal(responseOf('GET', '/api/products/:id'), productDetailShape);
    assert.equal(responseOf('POST', '/api/products'), productDetailShape);
    assert.equal(responseOf('PATCH', '/api/products/:id'), productDetailShape);
    assert.equal(responseOf('POST', '/api/products/:id/prices'), priceShape);
    assert.equal(responseOf('PATCH', '/api/prices/:id'), priceShape);
    assert.equal(responseOf('POST', '/api/products/:id/files'), productFileShape);
    assert.equal(responseOf('GET', '/api/catalog/defaults'), catalogDefaultsShape);
    assert.equal(responseOf('GET', '/api/coupons'), couponListShape);
    assert.equal(responseOf('POST', '/api/coupons'), couponShape);
    assert.equal(responseOf('PATCH', '/api/coupons/:id'), couponShape);
    assert.equal(responseOf('GET', '/api/offers'), offerListShape);
    assert.equal(responseOf('POST', '/api/offers'), offerShape);
    assert.equal(responseOf('PATCH', '/api/offers/:id'), offerShape);
    for (const [method, url, body] of [
      ['POST', '/api/products', productBody],
      ['PATCH', '/api/products/:id', productPatchBody],
      ['POST', '/api/products/:id/prices', priceBody],
      ['PATCH', '/api/prices/:id', pricePatchBody],
      ['POST', '/api/coupons', couponBody],
      ['PATCH', '/api/coupons/:id', couponPatchBody],
      ['POST', '/api/offers', offerBody],
      ['PATCH', '/api/offers/:id', offerPatchBody],
    ] as const) {
      assert.equal(bodyOf(method, url), body, `the product pages send what ${method} ${url} parses`);
    }
    // A status outside the engine's is refused on the way out (a 500, not a page that cannot show it).
    assert.throws(() => refundsShape.parse({ refunds: [{ id: 'r', amount: 100, currency: 'usd', reason: '', status: 'done', providerRefundId: null, actorKind: 'user', actorId: null, error: null, createdAt: new Date(), completedAt: null }] }));
    // Money is whole minor units.
    assert.throws(() => priceShape.parse({ id: 'p', productId: 'x', type: 'one_time', currency: 'usd', amount: 9.99, interval: null, trialDays: null, instalments: null, label: '', active: true, position: 0, createdAt: new Date() }));
  });

  it('the routes the Contacts and Pages screens call answer through the audience and site contract schemas', () => {
    const bodyOf = (method: string, url: string) => allRoutes.find((r) => r.method === method && r.url === url)?.body;
    const answers: [string, string, z.ZodType][] = [
      ['GET', '/api/contacts', audience.contactPageShape],
      ['POST', '/api/contacts', audience.contactShape],
      ['GET', '/api/contacts/:id', audience.contactDetailShape],
      ['PATCH', '/api/contacts/:id', audience.contactShape],
      ['POST', '/api/contacts/:id/tags', audience.contactTagResultShape],
      ['POST', '/api/contacts/:id/lists/:listId', audience.subscribeResultShape],
      ['POST', '/api/contacts/bulk-tag', audience.bulkTagResultShape],
      ['GET', '/api/lists', audience.listsShape],
      ['POST', '/api/lists', audience.listShape],
      ['PATCH', '/api/lists/:id', audience.listShape],
      ['GET', '/api/tags', audience.tagsShape],
      ['POST', '/api/tags', audience.tagShape],
      ['PATCH', '/api/tags/:id', audience.tagShape],
      ['GET', '/api/segments', audience.segmentsShape],
      ['GET', '/api/segments/:id', audience.segmentDetailShape],
      ['POST', '/api/segments/preview', audience.segmentPreviewShape],
      ['POST', '/api/segments', audience.segmentShape],
      ['PATCH', '/api/segments/:id', audience.segmentShape],
      ['GET', '/api/forms', audience.formsShape],
      ['GET', '/api/forms/:id', audience.formDetailShape],
      ['POST', '/api/forms', audience.formShape],
      ['PATCH', '/api/forms/:id', audience.formShape],
      ['PUT', '/api/forms/:id/lead-magnet', audience.formShape],
      ['GET', '/api/imports', audience.importsShape],
      ['POST', '/api/imports', audience.importUploadShape],
      ['GET', '/api/imports/:id', audience.importShape],
      ['POST', '/api/imports/:id/start', audience.importShape],
      ['POST', '/api/imports/:id/cancel', audience.importShape],
      ['POST', '/api/imports/:id/resume', audience.importShape],
      ['GET', '/api/imports/:id/issues', audience.importIssuesShape],
      ['GET', '/api/pages', site.pagesShape],
      ['POST', '/api/pages', site.pageShape],
      ['GET', '/api/pages/:id', site.pageShape],
      ['PATCH', '/api/pages/:id', site.pageShape],
      ['POST', '/api/pages/:id/publish', site.pageShape],
      ['POST', '/api/pages/:id/unpublish', site.pageShape],
      ['POST', '/api/site/preview', site.previewShape],
      ['GET', '/api/site/forms', site.formChoicesShape],
      ['GET', '/api/site/settings', site.siteSettingsShape],
      ['PATCH', '/api/site/settings', site.siteSettingsShape],
      ['POST', '/api/site/images', site.imageShape],
    ];
    for (const [method, url, shape] of answers) assert.equal(responseOf(method, url), shape, `${method} ${url} answers through the contract`);
    const sends: [string, string, z.ZodType][] = [
      ['POST', '/api/contacts', audience.contactCreateBody],
      ['PATCH', '/api/contacts/:id', audience.contactUpdateBody],
      ['POST', '/api/contacts/:id/tags', audience.contactTagBody],
      ['POST', '/api/contacts/:id/lists/:listId', audience.subscribeBody],
      ['POST', '/api/contacts/bulk-tag', audience.bulkTagBody],
      ['POST', '/api/lists', audience.listBody],
      ['PATCH', '/api/lists/:id', audience.listUpdateBody],
      ['POST', '/api/tags', audience.tagBody],
      ['PATCH', '/api/tags/:id', audience.tagBody],
      ['POST', '/api/segments/preview', audience.segmentPreviewBody],
      ['POST', '/api/segments', audience.segmentBody],
      ['PATCH', '/api/segments/:id', audience.segmentUpdateBody],
      ['POST', '/api/forms', audience.formInput],
      ['PATCH', '/api/forms/:id', audience.formUpdateBody],
      ['POST', '/api/imports/:id/start', audience.importStartBody],
      ['POST', '/api/pages', site.pageCreateBody],
      ['PATCH', '/api/pages/:id', site.pageUpdateBody],
      ['POST', '/api/site/preview', site.previewBody],
      ['PATCH', '/api/site/settings', site.siteSettingsBody],
    ];
    for (const [method, url, shape] of sends) assert.equal(bodyOf(method, url), shape, `the admin sends ${method} ${url} what the route parses`);
    // A stored status outside the contract fails on the way out rather than reaching the admin as a string it cannot label.
    assert.throws(() => audience.contactSummaryShape.parse({ id: 'c', email: 'a@example.com', name: '', status: 'deleted', source: 'admin', createdAt: new Date(), tags: [] }));
    // A page's content is sent as the service read it: nothing in it is stripped by the schema.
    const draft = { title: 'T', description: '', blocks: [{ id: 'b', type: 'hero', heading: 'H', subheading: '', ctaLabel: '', extra: 1 }] };
    const at = new Date('2026-12-03T08:00:00.000Z');
    const page = site.pageShape.parse({ id: 'p', slug: 's', kind: 'landing', productId: null, status: 'draft', version: 0, draft, published: null, createdAt: at, updatedAt: at, publishedAt: null, url: '/p/s', warnings: [] });
    assert.deepEqual(page.draft, draft);
  });

  it('the analytics and automation pages read and send through the contract schemas', () => {
    const route = (method: string, url: string) => allRoutes.find((r) => r.method === method && r.url === url);
    /** The period query the admin's PeriodQuery comes from, under what the route adds to it. */
    const periodOf = (url: string) => (route('GET', url)?.query as z.ZodIntersection).def.left;
    assert.equal(responseOf('GET', '/api/analytics/dashboard'), analytics.dashboardShape);
    assert.equal(periodOf('/api/analytics/dashboard'), analytics.periodQuery);
    assert.equal(responseOf('GET', '/api/analytics/funnel'), analytics.funnelResultShape);
    assert.equal(periodOf('/api/analytics/funnel'), analytics.periodQuery);
    assert.equal(field(responseOf('GET', '/api/analytics/funnels'), 'funnels', 'items'), analytics.savedFunnelShape);
    assert.equal(responseOf('POST', '/api/analytics/funnels'), analytics.savedFunnelShape);
    assert.equal(route('POST', '/api/analytics/funnels')?.body, analytics.funnelBody, 'the funnel form sends what the route parses');
    assert.equal(responseOf('GET', '/api/analytics/revenue'), analytics.revenueShape);
    assert.equal(responseOf('GET', '/api/analytics/subscriptions'), analytics.subscriptionMetricsShape);
    assert.equal(responseOf('GET', '/api/analytics/cohorts'), analytics.cohortsShape);

    assert.equal(responseOf('GET', '/api/automations'), automation.workflowListShape);
    assert.equal(field(responseOf('GET', '/api/automations/templates'), 'templates', 'items'), automation.templateShape);
    for (const t of templates) assert.doesNotThrow(() => automation.templateShape.parse(t), `the template ${t.id} goes out through its schema`);
    assert.equal(field(responseOf('GET', '/api/automations/task-subjects'), 'subjects', 'items'), automation.taskSubjectShape);
    for (const [method, url] of [['POST', '/api/automations'], ['PATCH', '/api/automations/:id'], ['POST', '/api/automations/:id/pause'], ['POST', '/api/automations/:id/resume']] as const) {
      assert.equal(responseOf(method, url), automation.workflowShape, `${method} ${url}`);
    }
    assert.equal(responseOf('GET', '/api/automations/:id'), automation.workflowDetailShape);
    assert.equal(responseOf('POST', '/api/automations/:id/publish'), automation.publishedShape);
    assert.equal(responseOf('DELETE', '/api/automations/:id'), automation.removedShape);
    assert.equal(responseOf('POST', '/api/automations/:id/enrol'), automation.enrolledShape);
    assert.equal(responseOf('POST', '/api/automations/:id/dry-run'), automation.dryRunShape);
    assert.equal(field(responseOf('GET', '/api/automations/:id/runs'), 'runs', 'items'), automation.runShape);
    assert.equal(responseOf('GET', '/api/automation-runs/:id'), automation.timelineShape);
    // The builder edits the definition the routes parse and answer with.
    assert.equal(field(automation.workflowShape, 'definition'), automation.definitionSchema);
    assert.equal(route('POST', '/api/automations')?.body, automation.createWorkflowBody);
    assert.equal(route('PATCH', '/api/automations/:id')?.body, automation.updateWorkflowBody);
    assert.equal((field(automation.updateWorkflowBody, 'definition') as z.ZodOptional).unwrap(), automation.definitionSchema);
    assert.equal(route('POST', '/api/automations/:id/publish')?.body, automation.publishBody);
    assert.equal(route('POST', '/api/automations/:id/enrol')?.body, automation.enrolBody);
    assert.equal(route('POST', '/api/automations/:id/dry-run')?.body, automation.dryRunBody);
  });

  it('webhooks, broadcasts and the remaining list wrappers answer through the contract schemas', () => {
    const route = (method: string, url: string) => allRoutes.find((r) => r.method === method && r.url === url);
    const answers: [string, string, z.ZodType][] = [
      ['GET', '/api/webhooks', webhooks.endpointListShape],
      ['POST', '/api/webhooks', webhooks.createdShape],
      ['PATCH', '/api/webhooks/:id', webhooks.endpointResultShape],
      ['POST', '/api/webhooks/:id/rotate-secret', webhooks.rotatedShape],
      ['POST', '/api/webhooks/:id/test', webhooks.deliveryResultShape],
      ['GET', '/api/webhooks/:id/deliveries', webhooks.deliveryListShape],
      ['POST', '/api/webhook-deliveries/:id/replay', webhooks.deliveryResultShape],
      ['GET', '/api/broadcasts', mail.broadcastListShape],
      ['GET', '/api/broadcasts/:id', mail.broadcastDetailShape],
      ['POST', '/api/broadcasts/:id/test', mail.testSentShape],
      ['POST', '/api/broadcasts/:id/schedule', mail.scheduledShape],
      ['GET', '/api/broadcasts/:id/links', mail.linkListShape],
      ['GET', '/api/broadcasts/:id/recipients', mail.recipientPageShape],
      ['GET', '/api/mail/bounces', mail.bouncePageShape],
      ['GET', '/api/mail/suppressions', mail.suppressionListShape],
      ['PUT', '/api/mail/send-limits', mail.sendLimitsShape],
      ['PATCH', '/api/mail/settings', mail.mailSettingsShape],
      ['GET', '/api/outbox', mail.outboxShape],
      ['GET', '/api/me/sessions', team.deviceSessionsShape],
      ['POST', '/api/me/sessions/revoke-others', team.revokedSessionsShape],
      ['POST', '/api/me/two-factor/begin', team.twoFactorBeginShape],
      ['GET', '/api/team', team.teamShape],
      ['POST', '/api/team/invitations', team.invitedShape],
      ['GET', '/api/api-keys', team.apiKeysShape],
      ['POST', '/api/api-keys', team.apiKeyCreatedShape],
      ['GET', '/api/activity', core.activityPageShape],
      ['GET', '/api/activity/types', core.activityTypesShape],
      ['GET', '/api/audit', core.auditPageShape],
      ['GET', '/api/demo', core.demoStatusShape],
      ['POST', '/api/demo', core.demoStatusShape],
      ['GET', '/api/support/canned', support.cannedListShape],
      ['GET', '/api/support/conversations/:id/canned/:cannedId', support.cannedTextShape],
      ['POST', '/api/support/conversations/:id/actions', support.actionTakenShape],
      ['GET', '/api/support/settings', support.settingsShape],
      ['POST', '/api/approvals/:id/delegated/approve', approvals.approvalResultShape],
      ['POST', '/api/approvals/:id/delegated/refuse', approvals.approvalResultShape],
      ['GET', '/api/brand', brand.brandPageShape],
      ['PATCH', '/api/brand', brand.brandSettingsShape],
      ['PUT', '/api/brand/images/:kind', brand.brandSettingsShape],
      ['DELETE', '/api/brand/images/:kind', brand.brandSettingsShape],
      ['GET', '/api/posts', content.postListShape],
      ['GET', '/api/posts/:id/revisions', content.revisionListShape],
      ['GET', '/api/posts/:id/diff', content.diffShape],
      ['POST', '/api/posts/preview', content.postPreviewShape],
      ['POST', '/api/posts/:id/newsletter', content.newsletterDraftShape],
      ['GET', '/api/redirects', content.redirectListShape],
      ['GET', '/api/blog/calendar', content.calendarListShape],
      ['GET', '/api/blog/top-posts', content.topPostsShape],
      ['GET', '/api/blog/authors', content.authorsShape],
      ['GET', '/api/tasks', tasks.taskListShape],
      ['GET', '/api/tasks/subjects', tasks.subjectListShape],
      ['GET', '/api/tasks/:id/occurrences', tasks.occurrenceListShape],
      ['GET', '/api/sops', tasks.sopListShape],
      ['GET', '/api/sops/:id', tasks.sopDetailShape],
      ['POST', '/api/sops/preview', tasks.sopPreviewShape],
      ['GET', '/api/learning/courses', learning.courseListShape],
      ['POST', '/api/learning/courses/:id/modules', learning.moduleCreatedShape],
      ['POST', '/api/learning/preview', learning.lessonPreviewShape],
      ['GET', '/api/learning/freshness', learning.freshnessListShape],
      ['GET', '/api/learning/courses/:id/enrollments', learning.enrollmentListShape],
      ['POST', '/api/learning/courses/:id/enrollments', learning.enrolledShape],
      ['POST', '/api/learning/courses/:id/enrollments/revoke', learning.revokedShape],
      ['GET', '/api/analytics/funnels', analytics.savedFunnelListShape],
      ['GET', '/api/automations/templates', automation.templateListShape],
      ['GET', '/api/automations/task-subjects', automation.taskSubjectListShape],
      ['GET', '/api/automations/:id/runs', automation.runListShape],
    ];
    for (const [method, url, shape] of answers) assert.equal(responseOf(method, url), shape, `${method} ${url} answers through its contract shape`);
    const sends: [string, string, z.ZodType][] = [
      ['POST', '/api/webhooks', webhooks.endpointBody],
      ['PATCH', '/api/webhooks/:id', webhooks.endpointPatchBody],
      ['POST', '/api/broadcasts/:id/test', mail.testSendBody],
      ['PUT', '/api/mail/send-limits', mail.sendLimitsShape],
    ];
    for (const [method, url, shape] of sends) assert.equal(route(method, url)?.body, shape, `the admin sends ${method} ${url} what the route parses`);
    assert.equal(route('GET', '/api/webhooks/:id/deliveries')?.query, webhooks.deliveryListQuery);

    // A signing secret is in the create and rotate answers only: an endpoint or a delivery carries none, even if handed one.
    const at = new Date('2026-12-03T08:00:00.000Z');
    const endpoint = { id: 'e', url: 'https://example.com/hook', description: '', eventTypes: [], enabled: true, failingSince: null, disabledReason: null, createdAt: at, updatedAt: at };
    assert.ok(!('secretSealed' in webhooks.endpointShape.parse({ ...endpoint, secretSealed: 'sealed', previousSecretSealed: 'sealed' })));
    assert.deepEqual(Object.keys(webhooks.endpointShape.shape).filter((k) => /secret/i.test(k)), []);
    assert.deepEqual(Object.keys(webhooks.deliveryShape.shape).filter((k) => /secret|claimed/i.test(k)), []);
    assert.deepEqual(Object.keys(webhooks.endpointResultShape.shape), ['endpoint']);
    assert.deepEqual(Object.keys(webhooks.endpointListShape.shape).sort(), ['endpoints', 'eventTypes']);
    // A delivery's payload is sent as stored: nothing in it is stripped.
    const payload = { type: 'order.paid', timestamp: at.toISOString(), data: { orderId: 'o', nested: { a: 1 } } };
    const delivery = { id: 'd', endpointId: 'e', eventId: 1, eventType: 'order.paid', messageId: 'msg_1', status: 'succeeded', attempts: 1, responseStatus: 200, responseBody: 'ok', durationMs: 12, error: null, payload, replayOf: null, createdAt: at, lastAttemptAt: at, nextAttemptAt: null };
    assert.deepEqual(webhooks.deliveryShape.parse(delivery).payload, payload);
    assert.throws(() => webhooks.deliveryShape.parse({ ...delivery, status: 'retrying' }), 'a stored delivery status outside the list fails on the way out');
    // A bounce's kind outside the three is refused on the way out.
    assert.throws(() => mail.bounceShape.parse({ id: 1, email: 'a@example.com', kind: 'bounced', provider: 'smtp', detail: '', occurredAt: at, contactId: null, broadcastId: null, broadcastName: null }));
  });

  it('the sign-in, account, team, course and blog forms send what their routes parse', () => {
    const sends: [string, string, z.ZodType][] = [
      ['POST', '/api/setup', team.setupBody],
      ['POST', '/api/auth/login', team.loginBody],
      ['POST', '/api/auth/two-factor', team.codeBody],
      ['POST', '/api/auth/password-reset/request', team.resetRequestBody],
      ['POST', '/api/auth/password-reset', team.resetBody],
      ['POST', '/api/invitations/peek', team.tokenBody],
      ['POST', '/api/invitations/accept', team.acceptInvitationBody],
      ['POST', '/api/me/password', team.changePasswordBody],
      ['PATCH', '/api/me', team.renameBody],
      ['POST', '/api/me/two-factor/confirm', team.codeBody],
      ['POST', '/api/me/two-factor/disable', team.passwordBody],
      ['POST', '/api/team/invitations', team.inviteBody],
      ['PATCH', '/api/team/members/:id', team.roleBody],
      ['POST', '/api/api-keys', team.apiKeyBody],
      ['POST', '/api/learning/courses/:id/enrollments', learning.enrollBody],
      ['POST', '/api/posts', content.postCreateBody],
      ['PATCH', '/api/posts/:id', content.postSaveBody],
      ['POST', '/api/redirects', content.redirectBody],
      ['POST', '/api/blog/calendar', content.calendarBody],
      ['PATCH', '/api/blog/calendar/:id', content.calendarBody],
    ];
    for (const [method, url, shape] of sends) assert.equal(allRoutes.find((r) => r.method === method && r.url === url)?.body, shape, `the admin sends ${method} ${url} what the route parses`);
    // An invitation goes only to a real address, lowercased, as the audience module checks every address.
    assert.equal(team.inviteBody.parse({ email: 'Ada@Example.com', role: 'support' }).email, 'ada@example.com');
    assert.throws(() => team.inviteBody.parse({ email: 'ada@@example.com', role: 'support' }));
    assert.throws(() => team.inviteBody.parse({ email: 'ada@example.com', role: 'owner' }), 'no one is invited as the owner');
  });

  it('the query strings the admin sends are parsed by the routes with the contract schemas it is typed from', () => {
    const queries: [string, string, z.ZodType][] = [
      ['GET', '/api/activity', core.activityQuery],
      ['GET', '/api/audit', core.auditQuery],
      ['GET', '/api/outbox', mail.outboxQuery],
      ['GET', '/api/broadcasts', mail.broadcastListQuery],
      ['GET', '/api/broadcasts/:id/send-check', mail.sendCheckQuery],
      ['GET', '/api/broadcasts/:id/recipients', mail.recipientQuery],
      ['GET', '/api/mail/bounces', mail.bounceQuery],
      ['GET', '/api/mail/suppressions', mail.suppressionQuery],
      ['GET', '/api/webhooks/:id/deliveries', webhooks.deliveryListQuery],
      ['GET', '/api/orders', checkout.orderListQuery],
      ['GET', '/api/customers', checkout.customerListQuery],
      ['GET', '/api/subscriptions', checkout.subscriptionListQuery],
      ['GET', '/api/products', catalog.productListQuery],
      ['GET', '/api/offers', catalog.offerListQuery],
      ['GET', '/api/contacts', audience.contactListQuery],
      ['GET', '/api/contacts/export.csv', audience.contactExportQuery],
      ['GET', '/api/imports/:id/issues', audience.importIssuesQuery],
      ['GET', '/api/posts', content.postListQuery],
      ['GET', '/api/posts/:id/diff', content.diffQuery],
      ['GET', '/api/approvals', approvals.approvalListQuery],
      ['GET', '/api/support/conversations', support.conversationListQuery],
      ['GET', '/api/tasks/subjects', tasks.subjectQuery],
      ['GET', '/api/learning/freshness', learning.freshnessQuery],
      ['GET', '/api/learning/courses/:id/stats', learning.statsQuery],
      ['GET', '/api/analytics/dashboard', analytics.dashboardQuery],
      ['GET', '/api/analytics/panels/:panel', analytics.panelQuery],
      ['GET', '/api/analytics/funnel', analytics.funnelQuery],
      ['GET', '/api/analytics/revenue', analytics.revenueDashboardQuery],
      ['GET', '/api/analytics/revenue/:breakdown', analytics.revenueBreakdownQuery],
      ['GET', '/api/analytics/subscriptions', analytics.monthsQuery],
      ['GET', '/api/analytics/cohorts', analytics.monthsQuery],
      ['GET', '/api/automations/:id/runs', automation.runListQuery],
      ['GET', '/api/automations/task-subjects', automation.taskSubjectQuery],
      // uploads: the file is the body, its name in the query string
      ['PUT', '/api/forms/:id/lead-magnet', audience.leadMagnetQuery],
      ['POST', '/api/imports', audience.importUploadQuery],
      ['POST', '/api/products/:id/files', catalog.productFileQuery],
    ];
    for (const [method, url, schema] of queries) assert.equal(allRoutes.find((r) => r.method === method && r.url === url)?.query, schema, `${method} ${url} parses its query with the contract schema`);

    // What the admin's URL builder (apiUrl, under apiGet) puts in the address, read back as the
    // server's query parser does (a repeated name becomes a list), parses as the page meant it.
    const received = (url: string) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(url.split('?')[1] ?? '')) {
        const had = out[k];
        out[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
      }
      return out;
    };
    assert.deepEqual(core.auditQuery.parse(received(apiUrl<typeof core.auditQuery>('/api/audit', { outcome: 'denied', before: 120, limit: 50 }))), { outcome: 'denied', before: 120, limit: 50 });
    assert.equal(catalog.productListQuery.parse(received(apiUrl<typeof catalog.productListQuery>('/api/products', { archived: true }))).archived, true);
    assert.equal(catalog.productListQuery.parse(received(apiUrl<typeof catalog.productListQuery>('/api/products', { archived: false }))).archived, false);
    assert.equal(learning.freshnessQuery.parse(received(apiUrl<typeof learning.freshnessQuery>('/api/learning/freshness', { overdue: true }))).overdue, 'true');
    const orders = checkout.orderListQuery.parse(received(apiUrl<typeof checkout.orderListQuery>('/api/orders', { q: 'ada', disputed: '1', from: '2026-12-01T00:00:00.000Z', before: 40 })));
    assert.deepEqual(orders, { q: 'ada', disputed: '1', from: new Date('2026-12-01T00:00:00.000Z'), before: 40, limit: 50 });
    const funnel = apiUrl<typeof analytics.funnelQuery>('/api/analytics/funnel', { period: '7d', filter: 'source:Google', step: ['page:/p/bowls', 'event:order_paid'] });
    assert.deepEqual(analytics.funnelQuery.parse(received(funnel)).step, [{ kind: 'page', match: '/p/bowls' }, { kind: 'event', match: 'order_paid' }]);
    assert.deepEqual(analytics.monthsQuery.parse(received(apiUrl<typeof analytics.monthsQuery>('/api/analytics/cohorts', { months: 12, format: 'csv' }))), { months: 12, format: 'csv' });
    assert.equal(audience.leadMagnetQuery.parse(received(apiUrl<typeof audience.leadMagnetQuery>('/api/forms/f/lead-magnet', { name: 'My guide (v2) & 100%.pdf' }))).name, 'My guide (v2) & 100%.pdf');
    // Left out when empty, as the page's unset filters are.
    assert.equal(apiUrl<typeof audience.contactExportQuery>('/api/contacts/export.csv', { status: undefined, listId: '' }), '/api/contacts/export.csv');
  });
});
