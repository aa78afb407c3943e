import type { JobDefinition } from '../../jobs/types.js';

export const SIGN_IN_REQUEST_JOB = 'portal.sign-in-request';

export const portalJobs: JobDefinition<any>[] = [
  {
    name: SIGN_IN_REQUEST_JOB,
    description: 'Look up the address of a customer sign-in request and mail a sign-in link when it is a known contact (off the request, so timing tells nothing)',
    handler: (app, data: { email: string; next?: string }) => app.portal.requestSignIn(data.email, data.next),
    priority: 10,
    retryLimit: 3,
    retryDelay: 5,
    expireInSeconds: 60,
  },
];
