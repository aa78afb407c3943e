// Checked by the type check (`npx tsc -p .`), never run: the admin's API types are the server's
// response schemas as they arrive over JSON (src/wire.ts, the contract.ts files), so they
// refuse what the wire never carries. Each @ts-expect-error must be an error — if a type
// loosened (a copy drifting to `string`, a Date slipping through), tsc fails here.
import type { AuditEntry, BusinessEvent, IsoDate, Message, SessionState, User } from '../web/admin/src/api.js';
import type { Wire } from '../src/wire.js';
import type { Block, Broadcast } from '../web/admin/src/pages/broadcasts/api.js';
import type { Course, CourseStats, Lesson } from '../web/admin/src/pages/courses/api.js';

// @ts-expect-error a Date never arrives over JSON: it is an ISO string
export const date: Wire<{ at: Date }> = { at: new Date() };
// @ts-expect-error roles come from the permission matrix, not any string
export const role: User['role'] = 'superuser';
// @ts-expect-error the permission names come from the matrix too
export const permission: SessionState['permissions'][number] = 'everything.do';
// @ts-expect-error audit outcomes are allowed | denied
export const outcome: AuditEntry['outcome'] = 'maybe';
// @ts-expect-error a message's headers are strings
export const headers: Message['headers'] = { 'x-count': 1 };
// @ts-expect-error a broadcast's status is one of the engine's states
export const status: Broadcast['status'] = 'sent';
// @ts-expect-error a block is one of the editor's block types
export const block: Block = { type: 'video', src: 'x' };
// @ts-expect-error a course's status is one of the builder's
export const courseStatus: Course['status'] = 'live';
// @ts-expect-error a lesson opens by one of the drip kinds
export const dripKind: Lesson['drip']['kind'] = 'weekly';
// @ts-expect-error a lesson's review date arrives as an ISO string
export const reviewDue: Lesson['reviewDueAt'] = new Date();
// @ts-expect-error a quiz's average score is a number or null, never a string
export const averageScore: CourseStats['quizzes'][number]['averageScore'] = '80';

// …and accept exactly what the server sends.
export const sent: [User, BusinessEvent, IsoDate] = [
  { id: 'u', email: 'e@example.com', name: 'n', role: 'admin', twoFactorEnabled: true, createdAt: '2026-12-03T08:00:00.000Z' },
  { id: 1, occurredAt: '2026-12-03T08:00:00.000Z', type: 'x', actorKind: 'system', actorId: null, actorRole: null, subjectType: null, subjectId: null, data: {} },
  '2026-12-03T08:00:00.000Z',
];

// Checkout and catalog (orders-api.ts, catalog-api.ts): the Orders, Customers and Products pages.
import type { Order, OrderDetail, OrderRow, Refund, Subscription } from '../web/admin/src/pages/orders/orders-api.js';
import type { Coupon, Offer, Product, ProductInput } from '../web/admin/src/pages/products/catalog-api.js';
import type { CouponInput } from '../src/modules/catalog/contract.js';

// @ts-expect-error an order's status is one of the engine's (a refund is a refund, not a status)
export const orderStatus: OrderRow['status'] = 'refunded';
// @ts-expect-error a refund's status is one of pending | unknown | succeeded | failed
export const refundStatus: Refund['status'] = 'done';
// @ts-expect-error money arrives as integer minor units, never a formatted string
export const orderTotal: Order['total'] = '10.00';
// @ts-expect-error a subscription is a subscription or a plan
export const subscriptionKind: Subscription['kind'] = 'lifetime';
// @ts-expect-error a product's kind is one of the catalog's
export const productKind: Product['kind'] = 'ebook';
// @ts-expect-error a coupon's expiry arrives as an ISO string
export const couponExpiry: Coupon['expiresAt'] = new Date();
// @ts-expect-error the coupon form sends its expiry as an ISO string
export const couponInput: CouponInput = { code: 'X', kind: 'percent', expiresAt: 1_700_000_000 };
// @ts-expect-error a new product needs a kind
export const productInput: ProductInput = { slug: 'x', name: 'X' };
// @ts-expect-error an offer as saved comes back without the product it sells (the list has it)
export const savedOfferProduct = ({} as Offer).offerProduct;


// The Contacts and Pages screens (audience and site contracts).
type ContactSummary = import('../web/admin/src/pages/contacts/api.js').ContactSummary;
type ContactDetail = import('../web/admin/src/pages/contacts/api.js').ContactDetail;
type ImportView = import('../web/admin/src/pages/contacts/api.js').ImportView;
type OptInForm = import('../web/admin/src/pages/contacts/api.js').OptInForm;
type SegmentRule = import('../web/admin/src/pages/contacts/api.js').SegmentRule;
type SitePage = import('../web/admin/src/pages/site/site-api.js').SitePage;
// @ts-expect-error a contact's status is one of the audience's, not any string
export const contactStatus: ContactSummary['status'] = 'deleted';
// @ts-expect-error a contact's creation time arrives as an ISO string
export const contactCreated: ContactDetail['contact']['createdAt'] = new Date();
// @ts-expect-error an import's status is one of the importer's states
export const importStatus: ImportView['status'] = 'paused';
// @ts-expect-error a field rule's condition is one the segment compiler knows
export const fieldOp: Extract<SegmentRule, { type: 'field' }>['op'] = 'matches';
// @ts-expect-error a form asks for the name in one of three ways
export const askName: OptInForm['askName'] = 'sometimes';
// @ts-expect-error a page's block is one of the page blocks
export const blockType: SitePage['draft']['blocks'][number]['type'] = 'video';
// @ts-expect-error a page's publication time arrives as an ISO string (or null)
export const publishedAt: SitePage['publishedAt'] = new Date();

// Analytics and automation (src/modules/analytics/contract.ts, src/modules/automation/contract.ts).
import type { Dashboard, PeriodQuery, SubscriptionMetrics } from '../web/admin/src/pages/analytics/analytics-api.js';
import type { Definition, RunTimeline, Step, WorkflowSummary } from '../web/admin/src/pages/automations/api.js';

// @ts-expect-error a dashboard's filter names one of the dimensions
export const analyticsFilterDim: NonNullable<Dashboard['filter']>['dim'] = 'country';
// @ts-expect-error a period is one of the route's
export const analyticsPeriod: PeriodQuery['period'] = '6m';
// @ts-expect-error LTV is a number or null (no churn), never a string
export const analyticsLtv: SubscriptionMetrics['ltv'] = 'infinite';
// @ts-expect-error a step's kind is one of the engine's
export const automationStepKind: Step['kind'] = 'sms';
// @ts-expect-error a wait step counts its minutes as a number
export const automationWait: Step = { id: 'w', kind: 'wait', minutes: '60' };
// @ts-expect-error a tag trigger names its tag
export const automationTrigger: Definition['triggers'][number] = { type: 'tag.added' };
// @ts-expect-error a run's step is done, skipped or failed
export const automationStepStatus: RunTimeline['steps'][number]['status'] = 'running';
// @ts-expect-error a workflow's dates arrive as ISO strings
export const automationUpdated: WorkflowSummary['updatedAt'] = new Date();

// Webhooks, broadcasts' reports, and the list wrappers (webhooks/contract.ts, mail/contract.ts and the others).
import type { WebhookDelivery, WebhookEndpoint, webhooks } from '../web/admin/src/api.js';
import type { WebhookCreated, WebhookEndpointList, WebhookSecretRotated } from '../src/modules/webhooks/contract.js';
import type { Bounce, RecipientFilter, Suppression } from '../web/admin/src/pages/broadcasts/api.js';
import type { RecipientPage, ScheduledBroadcast } from '../src/modules/mail/contract.js';
import type { Team } from '../src/modules/team/contract.js';
import type { BrandPage } from '../src/modules/brand/contract.js';

// @ts-expect-error a delivery's status is one of the sender's four
export const webhookDeliveryStatus: WebhookDelivery['status'] = 'retrying';
// @ts-expect-error an endpoint's failure start arrives as an ISO string (or null)
export const webhookFailingSince: WebhookEndpoint['failingSince'] = new Date();
// @ts-expect-error an endpoint carries no signing secret: it is in the create and rotate answers only
export const webhookEndpointSecret: WebhookEndpoint['secret'] = 'whsec_x';
// @ts-expect-error the endpoint list carries no secrets either
export const webhookListSecret: WebhookEndpointList['secrets'] = [];
// @ts-expect-error the rotation's overlap end arrives as an ISO string
export const webhookRotatedUntil: WebhookSecretRotated['previousValidUntil'] = new Date();
// @ts-expect-error the create answer's secret is a string
export const webhookCreatedSecret: WebhookCreated['secret'] = null;
// @ts-expect-error the delivery log's status filter is one of the four
export const webhookQuery: Parameters<typeof webhooks.deliveries>[1] = { status: 'retrying' };
// @ts-expect-error a bounce is hard, soft or a complaint
export const bounceKind: Bounce['kind'] = 'blocked';
// @ts-expect-error a bounce's time arrives as an ISO string
export const bounceAt: Bounce['occurredAt'] = new Date();
// @ts-expect-error a recipient filter is a row state or an outcome the route knows
export const recipientFilter: RecipientFilter = 'delivered';
// @ts-expect-error a recipient page's cursor is a string (or null), never a number
export const recipientCursor: RecipientPage['nextCursor'] = 12;
// @ts-expect-error a suppression's date arrives as an ISO string
export const suppressedAt: Suppression['createdAt'] = new Date();
// @ts-expect-error a scheduled broadcast's approval id is a string or null
export const scheduledApproval: ScheduledBroadcast['approvalId'] = undefined;
// @ts-expect-error the team list's members are users (with a role from the matrix)
export const teamMember: Team['members'][number]['role'] = 'superuser';
// @ts-expect-error the brand's image limits are numbers of bytes
export const brandLimit: BrandPage['choices']['limits']['logo'] = '1 MB';

// The query strings the admin sends: typed from the routes' own query schemas (QueryOf, src/wire.ts),
// so a parameter the route does not read, or a value of the wrong kind, fails here as it would 400 there.
import type { activity, apiGet, audit, outbox } from '../web/admin/src/api.js';
import type { ordersApi } from '../web/admin/src/pages/orders/orders-api.js';
import type { catalogApi } from '../web/admin/src/pages/products/catalog-api.js';
import type { broadcastsApi } from '../web/admin/src/pages/broadcasts/api.js';
import type { QueryOf } from '../src/wire.js';
import type { contactListQuery } from '../src/modules/audience/contract.js';
import type { orderListQuery } from '../src/modules/checkout/contract.js';
import type { funnelQuery, monthsQuery } from '../src/modules/analytics/contract.js';

// @ts-expect-error the audit log is filtered by `outcome`, there is no `result`
export const auditQueryName: Parameters<typeof audit.list>[0] = { result: 'denied' };
// @ts-expect-error the audit log's `before` is an entry id, a number (the route coerces it)
export const auditQueryBefore: Parameters<typeof audit.list>[0] = { before: 'yesterday' };
// @ts-expect-error the activity feed's actor kind is one of the actors'
export const activityQueryKind: Parameters<typeof activity.list>[0] = { actorKind: 'robot' };
// @ts-expect-error the activity feed has no search
export const activityQueryName: Parameters<typeof activity.list>[0] = { q: 'refund' };
// @ts-expect-error the outbox's page size is a number
export const outboxQueryLimit: Parameters<typeof outbox.list>[0] = { limit: '200' };
// @ts-expect-error orders page on with `before` (an order number), not `page`
export const ordersQueryName: Parameters<typeof ordersApi.list>[0] = { page: 2 };
// @ts-expect-error an order's status is one of the engine's
export const ordersQueryStatus: Parameters<typeof ordersApi.list>[0] = { status: 'refunded' };
// @ts-expect-error the orders' dates go as ISO strings, not Date objects
export const ordersQueryFrom: QueryOf<typeof orderListQuery> = { from: new Date() };
// @ts-expect-error `disputed` has no false value, so it takes no boolean (the page sends '1' or nothing)
export const ordersQueryDisputed: QueryOf<typeof orderListQuery> = { disputed: true };
// @ts-expect-error contacts are filtered by `tagId`, not `tag`
export const contactsQueryName: QueryOf<typeof contactListQuery> = { tag: 'vip' };
// @ts-expect-error the contact list's page size is a number
export const contactsQueryLimit: QueryOf<typeof contactListQuery> = { limit: '50' };
// @ts-expect-error a product's status filter is one of the catalog's
export const productsQueryStatus: Parameters<typeof catalogApi.products>[0] = { status: 'live' };
// @ts-expect-error the recipient list is narrowed by `status`, not `state`
export const recipientsQueryName: Parameters<typeof broadcastsApi.recipients>[1] = { state: 'sent' };
// @ts-expect-error how many months back is a number
export const monthsQueryValue: QueryOf<typeof monthsQuery> = { months: '12' };
// @ts-expect-error a funnel's steps are strings (page:/path, event:name)
export const funnelQueryStep: QueryOf<typeof funnelQuery> = { step: [{ kind: 'page', match: '/p' }] };
declare const get: typeof apiGet;
export function untypedQuery() {
  // @ts-expect-error a GET that names no query schema sends no parameters
  return get<unknown>('/api/orders', { q: 'x' });
}

// …and accept what the admin sends: flags as booleans where the route reads true and false, numbers, repeated steps.
export const sentQueries: [Parameters<typeof audit.list>[0], Parameters<typeof catalogApi.products>[0], QueryOf<typeof orderListQuery>, QueryOf<typeof funnelQuery>] = [
  { outcome: 'denied', before: 120, limit: 50 },
  { status: 'published', archived: true },
  { q: 'ada', disputed: '1', from: '2026-12-01T00:00:00.000Z', before: 40 },
  { period: 'custom', from: '2026-11-01', to: '2026-11-30', step: ['page:/p/bowls', 'event:order_paid'] },
];
// @ts-expect-error a free-text parameter takes a string, not a flag
export const searchQueryFlag: QueryOf<typeof contactListQuery> = { q: true };
