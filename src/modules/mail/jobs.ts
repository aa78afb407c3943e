import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import { SEND_BATCH_ATTEMPTS, SEND_BATCH_EXPIRE_SECONDS, SEND_BATCH_JOB, SEND_TRANSACTIONAL_JOB, type MailService } from './service.js';
import { BROADCAST_SEND_JOB, BROADCAST_START_JOB } from './engine.js';

/** What the mail jobs use. */
export interface MailJobDeps {
  mail: MailService;
}

const broadcastJob = z.object({ broadcastId: z.string().min(1) });

export const mailJobs: JobDefinition<any, MailJobDeps>[] = [
  defineJob({
    name: SEND_TRANSACTIONAL_JOB,
    description: 'Deliver one transactional message (receipt, magic link, invitation) over SMTP, or keep it in the outbox',
    data: z.object({ messageId: z.string().min(1), sealed: z.string().optional() }),
    handler: ({ mail }: MailJobDeps, data) => mail.deliver(data.messageId, data.sealed),
    priority: 10,
    retryLimit: 8,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 120,
  }),
  defineJob({
    name: SEND_BATCH_JOB,
    description: 'Deliver a batch of queued messages (automation email steps; MAIL_SEND_BATCH, 100 by default) over the shared SMTP pool, or keep them in the outbox',
    data: z.object({ messageIds: z.array(z.string().uuid()).min(1).max(1000) }),
    handler: ({ mail }: MailJobDeps, data, job) => mail.deliverMany(data.messageIds, { retrying: job.retryCount > 0, lastAttempt: job.retryCount >= SEND_BATCH_ATTEMPTS - 1 }),
    priority: 5,
    retryLimit: SEND_BATCH_ATTEMPTS - 1,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: SEND_BATCH_EXPIRE_SECONDS,
  }),
  defineJob({
    name: BROADCAST_START_JOB,
    description: 'Snapshot a scheduled broadcast’s audience into recipients and start its send workers',
    data: broadcastJob,
    handler: ({ mail }: MailJobDeps, data) => mail.engine.start(data.broadcastId),
    retryLimit: 10,
    retryDelay: 5,
    expireInSeconds: 300,
  }),
  defineJob({
    name: BROADCAST_SEND_JOB,
    description: 'One broadcast send worker: claims recipients in batches and sends them; hands over to a fresh job every 20 s',
    data: broadcastJob,
    handler: ({ mail }: MailJobDeps, data) => mail.engine.work(data.broadcastId),
    // A worker that died is retried once its job expires; its claimed rows come back when their lease ends.
    retryLimit: 100,
    retryDelay: 1,
    retryBackoff: false,
    expireInSeconds: 60,
    concurrency: 4,
  }),
  defineJob({
    name: 'mail.watchdog',
    description: 'Start due scheduled broadcasts and restart broadcasts whose workers stopped making progress',
    cron: '* * * * *',
    data: z.object({}),
    handler: ({ mail }: MailJobDeps) => mail.engine.watchdog(),
  }),
];
