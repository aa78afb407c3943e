// The broadcasts area's calls to the mail API (src/modules/mail/routes.tsx).
import { apiGet, apiSend, type QueryOf } from '../../api.js';

// The broadcast shapes are the mail routes' own schemas (src/modules/mail/contract.ts), as they
// arrive over JSON; types only.
import type { Block, Broadcast, BroadcastInput, BroadcastListItem, BroadcastStats, BroadcastStatus, Preview } from '../../../../../src/modules/mail/contract.js';
export type { Block, Broadcast, BroadcastInput, BroadcastListItem, BroadcastStats, BroadcastStatus, Preview };
export type BlockType = Block['type'];

export type { Bounce, BounceKind, MailSettings, Recipient, RecipientFilter, SendCheck, SendLimitsView, Suppression } from '../../../../../src/modules/mail/contract.js';
import type {
  bounceQuery,
  BouncePage,
  BroadcastDetail,
  BroadcastList,
  broadcastListQuery,
  LinkClicks,
  MailSettings,
  MailSettingsInput,
  MailSettingsSaved,
  RecipientPage,
  recipientQuery,
  ScheduledBroadcast,
  SendCheck,
  sendCheckQuery,
  SendLimits,
  SendLimitsView,
  SuppressionList,
  suppressionQuery,
  TestSent,
} from '../../../../../src/modules/mail/contract.js';
import type { ContactLists, Segments } from '../../../../../src/modules/audience/contract.js';

const id = (s: string) => encodeURIComponent(s);

export const broadcastsApi = {
  /** each with its preview line: subject and opening words as a sample person reads them */
  list: (status?: BroadcastStatus) => apiGet<BroadcastList, typeof broadcastListQuery>('/api/broadcasts', { status, limit: 200 }),
  get: (b: string) => apiGet<BroadcastDetail>(`/api/broadcasts/${id(b)}`),
  create: (input: BroadcastInput) => apiSend<Broadcast>('POST', '/api/broadcasts', input),
  update: (b: string, input: Partial<BroadcastInput>) => apiSend<Broadcast>('PATCH', `/api/broadcasts/${id(b)}`, input),
  remove: (b: string) => apiSend('DELETE', `/api/broadcasts/${id(b)}`),
  preview: (input: Partial<BroadcastInput>) => apiSend<Preview>('POST', '/api/broadcasts/preview', input),
  test: (b: string, to: string[]) => apiSend<TestSent>('POST', `/api/broadcasts/${id(b)}/test`, { to }),
  /** approvalId: above the marketing send limit, the send waits for the owner (the broadcast stays a draft) */
  schedule: (b: string, at: string | null) => apiSend<ScheduledBroadcast>('POST', `/api/broadcasts/${id(b)}/schedule`, { at }),
  /** what sending now would do for the signed-in person: reach, their send limit, a request already waiting */
  sendCheck: (b: string, audience: { listId?: string | null; segmentId?: string | null }) =>
    apiGet<SendCheck, typeof sendCheckQuery>(`/api/broadcasts/${id(b)}/send-check`, { listId: audience.listId ?? undefined, segmentId: audience.segmentId ?? undefined }),
  sendLimits: () => apiGet<SendLimitsView>('/api/mail/send-limits'),
  saveSendLimits: (l: SendLimits) => apiSend<SendLimits>('PUT', '/api/mail/send-limits', l),
  action: (b: string, action: 'unschedule' | 'pause' | 'resume' | 'cancel') => apiSend<Broadcast>('POST', `/api/broadcasts/${id(b)}/${action}`),
  recipients: (b: string, q: QueryOf<typeof recipientQuery>) => apiGet<RecipientPage, typeof recipientQuery>(`/api/broadcasts/${id(b)}/recipients`, q),
  bounces: (q: QueryOf<typeof bounceQuery>) => apiGet<BouncePage, typeof bounceQuery>('/api/mail/bounces', q),
  links: (b: string) => apiGet<LinkClicks>(`/api/broadcasts/${id(b)}/links`),
  /** who can receive a broadcast (the audience module's lists and segments; empty while it is absent) */
  audiences: async () => {
    const [lists, segments] = await Promise.all([
      apiGet<ContactLists>('/api/lists').catch((): ContactLists => ({ lists: [] })),
      apiGet<Segments>('/api/segments').catch((): Segments => ({ segments: [] })),
    ]);
    return { lists: lists.lists, segments: segments.segments };
  },
  settings: () => apiGet<MailSettings>('/api/mail/settings'),
  saveSettings: (s: Partial<MailSettingsInput>) => apiSend<MailSettingsSaved>('PATCH', '/api/mail/settings', s),
  suppressions: (search?: string) => apiGet<SuppressionList, typeof suppressionQuery>('/api/mail/suppressions', { search, limit: 200 }),
  suppress: (email: string, detail: string) => apiSend('POST', '/api/mail/suppressions', { email, detail }),
  unsuppress: (email: string) => apiSend('DELETE', `/api/mail/suppressions/${id(email)}`),
};

export const statusLabels: Record<BroadcastStatus, { label: string; tone: string }> = {
  draft: { label: 'Draft', tone: '' },
  scheduled: { label: 'Scheduled', tone: '' },
  sending: { label: 'Sending', tone: 'warn' },
  paused: { label: 'Paused', tone: 'warn' },
  cancelled: { label: 'Cancelled', tone: 'bad' },
  finished: { label: 'Sent', tone: 'good' },
};

export const percent = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)} %`;

const numbers = new Intl.NumberFormat();
export const formatCount = (n: number) => numbers.format(n);
