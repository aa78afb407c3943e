// The audience API (src/modules/audience/routes.ts) as the admin uses it.
import { apiGet, apiSend, apiUpload, type IsoDate } from '../../api.js';

export const contactStatuses = ['active', 'unconfirmed', 'unsubscribed', 'bounced', 'complained'] as const;
export type ContactStatus = (typeof contactStatuses)[number];

export const statusLabels: Record<ContactStatus, { label: string; tone: '' | 'good' | 'warn' | 'bad'; hint: string }> = {
  active: { label: 'Subscribed', tone: 'good', hint: 'Receives marketing email' },
  unconfirmed: { label: 'Unconfirmed', tone: 'warn', hint: 'Has not clicked the confirmation link yet' },
  unsubscribed: { label: 'Unsubscribed', tone: '', hint: 'Left all marketing email' },
  bounced: { label: 'Bounced', tone: 'bad', hint: 'Mail to this address failed' },
  complained: { label: 'Complained', tone: 'bad', hint: 'Marked a message as spam' },
};

export interface TagRef {
  id: string;
  name: string;
}

export interface ContactSummary {
  id: string;
  email: string;
  name: string;
  status: ContactStatus;
  source: string;
  createdAt: IsoDate;
  tags: TagRef[];
}

export interface Contact {
  id: string;
  email: string;
  name: string;
  status: ContactStatus;
  source: string;
  fields: Record<string, string>;
  createdAt: IsoDate;
  updatedAt: IsoDate;
  confirmedAt: IsoDate | null;
}

export interface ConsentRecord {
  id: string;
  kind: string;
  statement: string;
  formId: string | null;
  importId: string | null;
  listIds: string[];
  ip: string | null;
  userAgent: string | null;
  actorKind: string;
  actorId: string | null;
  occurredAt: IsoDate;
}

export interface ContactDetail {
  contact: Contact;
  tags: TagRef[];
  lists: { id: string; name: string; status: 'subscribed' | 'unsubscribed'; updatedAt: IsoDate }[];
  consent: ConsentRecord[];
  events: { id: number; occurredAt: IsoDate; type: string; actorKind: string; actorId: string | null; data: Record<string, unknown> }[];
}

export interface ContactList {
  id: string;
  name: string;
  description: string;
  createdAt: IsoDate;
  subscribers: number;
}

export interface Tag extends TagRef {
  contacts: number;
  createdAt: IsoDate;
}

export type SegmentRule =
  | { type: 'tag'; op: 'has' | 'not_has'; tagId: string }
  | { type: 'list'; op: 'subscribed' | 'not_subscribed'; listId: string }
  | { type: 'status'; op: 'is' | 'is_not'; values: ContactStatus[] }
  | { type: 'field'; field: string; op: string; value?: string }
  | { type: 'email'; op: 'equals' | 'contains' | 'ends_with'; value: string }
  | { type: 'source'; op: 'is' | 'starts_with'; value: string }
  | { type: 'created'; op: 'within_days' | 'before_days'; days: number }
  | { type: 'purchase'; op: 'has' | 'not_has'; resourceType?: 'product' | 'course' | 'download'; resourceId?: string }
  | { type: 'course'; op: 'started' | 'not_started' | 'completed' | 'not_completed'; courseId?: string }
  | { type: 'engagement'; op: 'opened' | 'not_opened' | 'clicked' | 'not_clicked' | 'engaged' | 'not_engaged'; days: number }
  | { type: 'group'; match: 'all' | 'any'; rules: SegmentRule[] };

export interface SegmentRules {
  match: 'all' | 'any';
  rules: SegmentRule[];
}

export interface Segment {
  id: string;
  name: string;
  description: string;
  rules: SegmentRules;
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface SegmentCount {
  total: number;
  sendable: number;
}

export interface FormField {
  key: string;
  label: string;
  required: boolean;
}

export interface OptInForm {
  id: string;
  slug: string;
  name: string;
  title: string;
  intro: string;
  consentText: string;
  buttonLabel: string;
  successMessage: string;
  doubleOptIn: boolean;
  askName: 'hidden' | 'optional' | 'required';
  customFields: FormField[];
  listIds: string[];
  tagIds: string[];
  embedAllowed: boolean;
  leadMagnet: { name: string; type: string; size: number } | null;
  url: string;
  archived: boolean;
  stats: { submissions: number; confirmations: number };
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export type FormInput = Pick<OptInForm, 'slug' | 'name' | 'title' | 'intro' | 'consentText' | 'buttonLabel' | 'successMessage' | 'doubleOptIn' | 'askName' | 'customFields' | 'listIds' | 'tagIds' | 'embedAllowed'>;

export type ImportStatus = 'uploaded' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ImportView {
  id: string;
  fileName: string;
  fileSize: number;
  format: string;
  formatLabel: string;
  delimiter: string;
  encoding: string;
  headers: string[];
  mapping: string[];
  options: { listIds?: string[]; tagIds?: string[]; existing?: 'update' | 'skip'; newStatus?: 'active' | 'unconfirmed'; consentStatement?: string };
  status: ImportStatus;
  rowsDone: number;
  imported: number;
  updated: number;
  skipped: number;
  errored: number;
  progress: number;
  error: string | null;
  startedBy: string | null;
  createdAt: IsoDate;
  startedAt: IsoDate | null;
  finishedAt: IsoDate | null;
}

export interface ImportIssue {
  rowNumber: number;
  line: number;
  email: string;
  outcome: 'skipped' | 'errored';
  reason: string;
}

export interface ContactFilter {
  q?: string;
  status?: string;
  tagId?: string;
  listId?: string;
  segmentId?: string;
}

const enc = encodeURIComponent;

export const audience = {
  contacts: (q: ContactFilter & { cursor?: string; limit?: number }) => apiGet<{ contacts: ContactSummary[]; total: number; nextCursor: string | null }>('/api/contacts', { ...q }),
  contact: (id: string) => apiGet<ContactDetail>(`/api/contacts/${enc(id)}`),
  createContact: (body: { email: string; name?: string; listIds?: string[]; tagIds?: string[]; consentNote?: string; status?: 'active' | 'unconfirmed' }) =>
    apiSend<Contact>('POST', '/api/contacts', body),
  updateContact: (id: string, body: { name?: string; fields?: Record<string, string>; status?: ContactStatus }) => apiSend<Contact>('PATCH', `/api/contacts/${enc(id)}`, body),
  deleteContact: (id: string) => apiSend('DELETE', `/api/contacts/${enc(id)}`),
  tagContact: (id: string, body: { tagIds?: string[]; names?: string[] }) => apiSend<{ added: number }>('POST', `/api/contacts/${enc(id)}/tags`, body),
  untagContact: (id: string, tagId: string) => apiSend('DELETE', `/api/contacts/${enc(id)}/tags/${enc(tagId)}`),
  subscribe: (id: string, listId: string, consentNote?: string) => apiSend<{ joined: boolean }>('POST', `/api/contacts/${enc(id)}/lists/${enc(listId)}`, { consentNote }),
  unsubscribe: (id: string, listId: string) => apiSend('DELETE', `/api/contacts/${enc(id)}/lists/${enc(listId)}`),
  bulkTag: (body: { tagId: string; action: 'add' | 'remove'; contactIds?: string[]; segmentId?: string }) => apiSend<{ changed: number }>('POST', '/api/contacts/bulk-tag', body),
  /** A plain link: the browser downloads the file with the session cookie. */
  exportUrl: (f: ContactFilter) => {
    const p = new URLSearchParams();
    for (const k of ['status', 'listId', 'tagId', 'segmentId'] as const) if (f[k]) p.set(k, f[k]!);
    const qs = p.toString();
    return `/api/contacts/export.csv${qs ? `?${qs}` : ''}`;
  },

  lists: () => apiGet<{ lists: ContactList[] }>('/api/lists'),
  createList: (body: { name: string; description?: string }) => apiSend<ContactList>('POST', '/api/lists', body),
  updateList: (id: string, body: { name?: string; description?: string }) => apiSend<ContactList>('PATCH', `/api/lists/${enc(id)}`, body),
  deleteList: (id: string) => apiSend('DELETE', `/api/lists/${enc(id)}`),

  tags: () => apiGet<{ tags: Tag[] }>('/api/tags'),
  createTag: (name: string) => apiSend<TagRef>('POST', '/api/tags', { name }),
  renameTag: (id: string, name: string) => apiSend<TagRef>('PATCH', `/api/tags/${enc(id)}`, { name }),
  deleteTag: (id: string) => apiSend('DELETE', `/api/tags/${enc(id)}`),

  segments: () => apiGet<{ segments: Segment[] }>('/api/segments'),
  segment: (id: string) => apiGet<Segment & { count: SegmentCount }>(`/api/segments/${enc(id)}`),
  previewSegment: (rules: SegmentRules) => apiSend<SegmentCount & { sample: { id: string; email: string; name: string; status: ContactStatus }[] }>('POST', '/api/segments/preview', { rules }),
  createSegment: (body: { name: string; description?: string; rules: SegmentRules }) => apiSend<Segment>('POST', '/api/segments', body),
  updateSegment: (id: string, body: { name?: string; description?: string; rules?: SegmentRules }) => apiSend<Segment>('PATCH', `/api/segments/${enc(id)}`, body),
  deleteSegment: (id: string) => apiSend('DELETE', `/api/segments/${enc(id)}`),

  forms: () => apiGet<{ forms: OptInForm[] }>('/api/forms'),
  form: (id: string) => apiGet<OptInForm & { embedHtml: string }>(`/api/forms/${enc(id)}`),
  createForm: (body: Partial<FormInput> & Pick<FormInput, 'slug' | 'name' | 'title' | 'consentText'>) => apiSend<OptInForm>('POST', '/api/forms', body),
  updateForm: (id: string, body: Partial<FormInput> & { archived?: boolean }) => apiSend<OptInForm>('PATCH', `/api/forms/${enc(id)}`, body),
  uploadLeadMagnet: (id: string, file: File) => apiUpload<OptInForm>('PUT', `/api/forms/${enc(id)}/lead-magnet?name=${enc(file.name)}`, file),
  removeLeadMagnet: (id: string) => apiSend('DELETE', `/api/forms/${enc(id)}/lead-magnet`),

  imports: () => apiGet<{ imports: ImportView[] }>('/api/imports'),
  import: (id: string) => apiGet<ImportView>(`/api/imports/${enc(id)}`),
  upload: (file: File) => apiUpload<ImportView & { sample: string[][] }>('POST', `/api/imports?filename=${enc(file.name)}`, file, 'text/csv'),
  startImport: (
    id: string,
    body: { mapping: string[]; listIds: string[]; tagIds: string[]; existing: 'update' | 'skip'; newStatus: 'active' | 'unconfirmed'; consentStatement: string },
  ) => apiSend<ImportView>('POST', `/api/imports/${enc(id)}/start`, body),
  cancelImport: (id: string) => apiSend<ImportView>('POST', `/api/imports/${enc(id)}/cancel`),
  resumeImport: (id: string) => apiSend<ImportView>('POST', `/api/imports/${enc(id)}/resume`),
  importIssues: (id: string, limit = 20) => apiGet<{ issues: ImportIssue[] }>(`/api/imports/${enc(id)}/issues`, { limit }),
  reportUrl: (id: string) => `/api/imports/${enc(id)}/report.csv`,
};

export function sourceLabel(source: string, names: { forms?: Map<string, string> } = {}): string {
  const [kind, id] = source.split(':');
  if (kind === 'form') return `Form${id && names.forms?.get(id) ? `: ${names.forms.get(id)}` : ''}`;
  if (kind === 'import') return 'CSV import';
  if (kind === 'admin') return 'Added by hand';
  if (kind === 'checkout') return 'Checkout';
  if (kind === 'api') return 'API';
  return source;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat().format(n);
}
