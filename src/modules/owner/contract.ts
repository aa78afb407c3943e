// The owner API's shapes: the zod schemas its routes validate responses with, and the types the
// admin's review page uses (imported as types only). Plain data: no server code here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

const actorCounts = z.object({ owner: z.number(), assistant: z.number(), automation: z.number(), customer: z.number(), system: z.number() });
const fourD = z.object({ doing: z.number(), deciding: z.number(), delegating: z.number(), designing: z.number() });

export const ownerSettingsShape = z.object({
  timeBudget: z.enum(['hour_week', 'day_week', 'hour_day']),
  budgetMinutes: z.number(),
  awayFrom: z.string().nullable(),
  awayUntil: z.string().nullable(),
  awayDelegateId: z.string().nullable(),
  courseReviewDays: z.number(),
  away: z.boolean(),
});

export const alertShape = z.object({
  id: z.string(),
  detector: z.string(),
  key: z.string(),
  label: z.string(),
  day: z.string(),
  observed: z.number().nullable(),
  expected: z.number().nullable(),
  changePct: z.number().nullable(),
  detail: z.string(),
  link: z.string().nullable(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  createdAt: z.date(),
});

const fixShape = z.object({ kind: z.enum(['delegate', 'automate', 'none']), text: z.string(), role: z.string().optional(), limit: z.string().optional(), templateId: z.string().optional() });

export const meterShape = z.object({
  timeZone: z.string(),
  budgetMinutes: z.number(),
  weeks: z.array(z.object({ week: z.string(), byActor: actorCounts, ownerShare: z.number(), work: z.object({ owner: z.number(), assistant: z.number(), automation: z.number() }), fourD, ownerMinutes: z.number() })),
  current: z.object({ week: z.string(), byActor: actorCounts, ownerShare: z.number(), work: z.object({ owner: z.number(), assistant: z.number(), automation: z.number() }), fourD, ownerMinutes: z.number() }),
  leverage: z.object({ building: z.number(), operating: z.number(), ratio: z.number(), buildingMinutes: z.number(), operatingMinutes: z.number() }),
  processes: z.array(z.object({ type: z.string(), d: z.string(), owner: z.number(), others: z.number(), ownerShare: z.number(), fix: fixShape })),
});

const actionShape = z.object({
  kind: z.enum(['approve', 'refuse', 'mark_reviewed', 'acknowledge', 'accept_delegation', 'reassign', 'open']),
  label: z.string(),
  method: z.literal('POST').optional(),
  url: z.string().optional(),
  href: z.string().optional(),
  body: z.union([z.object({ eventType: z.string(), role: z.string() }), z.object({ conversationId: z.string() }), z.object({ taskOccurrenceId: z.string() }), z.object({ approvalId: z.string() })]).optional(),
  /** reassign: the people to pick from (the body gets their id as assigneeId; a role, `role:<role>`, goes as assigneeRole) */
  choices: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })).optional(),
});

const publishPolicy = z.union([z.object({ mode: z.enum(['free', 'approval']) }), z.object({ mode: z.literal('tags'), tags: z.array(z.string()) })]);

const sendLimit = z.object({ maxRecipients: z.number(), maxPerWeek: z.number() });

export const delegationShape = z.object({
  eventType: z.string(),
  role: z.string(),
  acceptedAt: z.date(),
  grant: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('refund_limit'), role: z.enum(['admin', 'support']), before: z.number(), after: z.number() }),
      z.object({ kind: z.literal('publish_policy'), role: z.enum(['admin', 'content', 'marketing']), before: publishPolicy, after: publishPolicy }),
      z.object({ kind: z.literal('send_limit'), role: z.literal('marketing'), before: sendLimit, after: sendLimit }),
      z.object({ kind: z.literal('live_lessons'), role: z.literal('content'), before: z.boolean(), after: z.boolean() }),
      z.object({ kind: z.literal('round_robin'), role: z.literal('support'), before: z.boolean(), after: z.boolean() }),
      z.object({ kind: z.literal('failing_runs'), role: z.literal('admin') }),
      z.object({ kind: z.literal('list_care'), role: z.enum(['admin', 'marketing']) }),
    ])
    .nullable(),
});

export const decisionShape = z.object({
  key: z.string(),
  kind: z.enum(['approval', 'alert', 'course_review', 'automation', 'delegation', 'conversation', 'task']),
  rank: z.number(),
  title: z.string(),
  why: z.string(),
  facts: z.array(z.object({ label: z.string(), value: z.string() })),
  actions: z.array(actionShape),
  carried: z.boolean(),
});

export const reviewShape = z.object({
  week: z.object({ from: z.string(), to: z.string() }),
  reviewWeek: z.string(),
  timeZone: z.string(),
  settings: ownerSettingsShape,
  kpis: z.array(z.object({ key: z.string(), label: z.string(), unit: z.enum(['count', 'money', 'rate']), direction: z.enum(['up_is_good', 'down_is_good']), week: z.number(), usual: z.number(), changePct: z.number().nullable(), weeks: z.array(z.number()) })),
  whatMoved: z.array(z.string()).max(5),
  withoutOwner: z.object({
    operations: actorCounts,
    ownerShare: z.number(),
    revenue: z.object({ amount: z.number(), currency: z.string() }).nullable(),
    ownerMinutes: z.number(),
    budgetMinutes: z.number(),
  }),
  decisions: z.array(decisionShape).max(7),
  lastWeek: z.array(z.object({ key: z.string(), title: z.string(), status: z.enum(['done', 'carried', 'open']) })),
  assistants: z.array(z.object({ id: z.string(), name: z.string(), role: z.string(), operations: z.number(), top: z.array(z.object({ type: z.string(), n: z.number() })), tasksDone: z.number(), escalations: z.number(), medianResponseMinutes: z.number().nullable() })),
  meter: meterShape,
  concentration: z.array(z.object({ what: z.string(), label: z.string(), top: z.string().nullable(), share: z.number(), threshold: z.number(), risky: z.boolean() })),
  alerts: z.array(alertShape),
});

export const forecastShape = z.object({
  today: z.string(),
  until: z.string(),
  currency: z.string(),
  revenue: z.object({ expected: z.number(), low: z.number(), high: z.number(), lastPeriod: z.number(), evergreenWeekly: z.number(), recurringWeekly: z.number(), ownerDrivenWeekly: z.number(), weeklyTrendPct: z.number() }),
  stops: z.array(z.object({ type: z.string(), ownerShare: z.number(), fix: z.string() })),
  coursesGoingStale: z.array(z.object({ id: z.string(), title: z.string(), dueAt: z.string() })),
  approvalsPilingUp: z.number(),
  scheduledSends: z.array(z.object({ id: z.string(), name: z.string(), at: z.string() })),
  sendsRunOutOn: z.string().nullable(),
  model: z.string(),
});

export type OwnerSettings = Wire<z.output<typeof ownerSettingsShape>>;
export type OwnerAlert = Wire<z.output<typeof alertShape>>;
export type OwnerMeter = Wire<z.output<typeof meterShape>>;
export type ReviewDecision = Wire<z.output<typeof decisionShape>>;
export type Review = Wire<z.output<typeof reviewShape>>;
export type AbsenceForecast = Wire<z.output<typeof forecastShape>>;
