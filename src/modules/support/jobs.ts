// The support module's jobs: snoozes that come due, SLA breach warnings, an approved action
// carried out after the owner's decision commits, and students' lesson questions as conversations.
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { EventDelivery } from '../../db/events.js';
import type { AudienceService } from '../audience/index.js';
import type { Role } from '../../permissions.js';
import { RUN_ACTION_JOB, type SupportService } from './service.js';

export interface SupportJobDeps {
  support: SupportService;
  audience: AudienceService;
}

export const WAKE_SNOOZED_JOB = 'support.wake-snoozed';
export const CHECK_SLAS_JOB = 'support.check-slas';
export const LESSON_QUESTION_JOB = 'support.lesson-question';
export const SWEEP_ORPHAN_FILES_JOB = 'support.sweep-orphan-files';

const actorSchema = z.union([
  z.object({ kind: z.literal('owner'), id: z.string(), label: z.string().optional() }),
  z.object({ kind: z.literal('assistant'), id: z.string(), role: z.string(), label: z.string().optional() }),
]);

export const supportJobs: JobDefinition<any, SupportJobDeps>[] = [
  defineJob({
    name: WAKE_SNOOZED_JOB,
    description: 'Open again the snoozed conversations whose time has come',
    cron: '* * * * *',
    concurrency: 1,
    data: z.object({}),
    handler: async ({ support }: SupportJobDeps) => void (await support.wakeSnoozed()),
  }),
  defineJob({
    name: CHECK_SLAS_JOB,
    description: 'Warn (event support.sla_breached) about conversations past their first-response or resolution target, once each',
    cron: '*/5 * * * *',
    concurrency: 1,
    data: z.object({}),
    handler: async ({ support }: SupportJobDeps) => void (await support.checkSlas()),
  }),
  defineJob({
    name: SWEEP_ORPHAN_FILES_JOB,
    description: 'Remove attachment files no message row names (left by a crash between writing them and the commit), after an hour',
    cron: '23 * * * *',
    concurrency: 1,
    data: z.object({}),
    handler: async ({ support }: SupportJobDeps) => void (await support.sweepOrphanFiles()),
  }),
  defineJob({
    name: RUN_ACTION_JOB,
    description: 'Carry out a support action the owner approved (a refund, an access extension…), once',
    retryLimit: 3,
    expireInSeconds: 300,
    data: z.object({ actionId: z.uuid(), actor: actorSchema }),
    handler: async ({ support }: SupportJobDeps, data) => {
      const role: Role = data.actor.kind === 'owner' ? 'owner' : (data.actor.role as Role);
      await support.runAction(data.actionId, data.actor, role).catch(() => undefined);
    },
  }),
  {
    name: LESSON_QUESTION_JOB,
    description: 'A student\'s question on a lesson becomes a conversation in the inbox (channel: lesson)',
    onEvents: ['lesson.question_asked'],
    retryLimit: 5,
    handler: async ({ support, audience }: SupportJobDeps, event: EventDelivery) => {
      const d = event.data as { contactId: string; courseTitle: string; lessonTitle: string; question: string };
      const contact = await audience.findById(audience.db, d.contactId);
      if (!contact) return;
      // Idempotent: the event id is the message's key, so a retried job stores it once.
      await support.ingestForm({ email: contact.email, name: contact.name, subject: `Question on "${d.lessonTitle}" (${d.courseTitle})`, text: d.question, channel: 'lesson', via: 'lesson', key: `lesson-${event.eventId}` });
    },
  },
];
