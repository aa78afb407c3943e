import type { JobDefinition } from '../../jobs/types.js';
import { SEND_TRANSACTIONAL_JOB } from './service.js';

export const mailJobs: JobDefinition<any>[] = [
  {
    name: SEND_TRANSACTIONAL_JOB,
    description: 'Deliver one transactional message (receipt, magic link, invitation) over SMTP, or keep it in the outbox',
    handler: (app, data: { messageId: string }) => app.mail.deliver(data.messageId),
    priority: 10,
    retryLimit: 8,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 120,
  },
];
