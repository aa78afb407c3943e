// The mail API's shapes shared with the admin app: the zod schemas its routes validate
// responses with, and the types the admin uses for them (imported as types only, so no zod
// reaches the browser). Plain data: no server code may be imported here.
import { z } from 'zod';
import type { Wire } from '../../http/wire.js';

export const messageSummaryShape = z.object({
  id: z.string(),
  stream: z.string(),
  tag: z.string(),
  to: z.string(),
  subject: z.string(),
  /** queued | sending | sent | stored | failed */
  status: z.string(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});
export const messageShape = messageSummaryShape.extend({ from: z.string(), text: z.string(), html: z.string().nullable(), error: z.string().nullable(), headers: z.record(z.string(), z.string()) });

export type MessageSummary = Wire<z.output<typeof messageSummaryShape>>;
export type Message = Wire<z.output<typeof messageShape>>;
