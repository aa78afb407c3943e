import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { PortalService } from './service.js';

export const SIGN_IN_REQUEST_JOB = 'portal.sign-in-request';

/** What the portal jobs use. */
export interface PortalJobDeps {
  portal: PortalService;
}

export const portalJobs: JobDefinition<any, PortalJobDeps>[] = [
  defineJob({
    name: SIGN_IN_REQUEST_JOB,
    description: 'Look up the address of a customer sign-in request and mail a sign-in link when it is a known contact (off the request, so timing tells nothing)',
    data: z.object({ email: z.string(), next: z.string().optional() }),
    handler: ({ portal }: PortalJobDeps, data) => portal.requestSignIn(data.email, data.next),
    priority: 10,
    retryLimit: 3,
    retryDelay: 5,
    expireInSeconds: 60,
  }),
];
