// The audience API (src/modules/audience/routes.ts) as the admin uses it; request and response
// shapes from the server's contract (src/modules/audience/contract.ts), so a change there fails
// the type check here.
import { apiGet, apiSend, apiUpload, apiUrl, type QueryOf } from '../../api.js';
import type {
  BulkTagInput,
  BulkTagResult,
  ConsentRecord,
  Contact,
  ContactCreateInput,
  ContactDetail,
  contactExportQuery,
  ContactList,
  ContactLists,
  contactListQuery,
  ContactPage,
  ContactStatus,
  ContactSummary,
  ContactTagInput,
  ContactTagResult,
  ContactUpdateInput,
  FormCreateInput,
  FormDetail,
  FormField,
  FormUpdateInput,
  ImportIssue,
  ImportIssues,
  importUploadQuery,
  importIssuesQuery,
  Imports,
  ImportStartInput,
  ImportStatus,
  ImportUpload,
  ImportView,
  ListInput,
  leadMagnetQuery,
  ListUpdateInput,
  OptInForm,
  OptInForms,
  Segment,
  SegmentCount,
  SegmentDetail,
  SegmentInput,
  SegmentPreview,
  SegmentRule,
  SegmentRules,
  Segments,
  SegmentUpdateInput,
  SubscribeResult,
  Tag,
  TagRef,
  Tags,
} from '../../../../../src/modules/audience/contract.js';

export type { ConsentRecord, Contact, ContactDetail, ContactList, ContactStatus, ContactSummary, FormField, ImportIssue, ImportStatus, ImportView, OptInForm, Segment, SegmentCount, SegmentPreview, SegmentRule, SegmentRules, Tag, TagRef };

export const statusLabels: Record<ContactStatus, { label: string; tone: '' | 'good' | 'warn' | 'bad'; hint: string }> = {
  active: { label: 'Subscribed', tone: 'good', hint: 'Receives marketing email' },
  unconfirmed: { label: 'Unconfirmed', tone: 'warn', hint: 'Has not clicked the confirmation link yet' },
  unsubscribed: { label: 'Unsubscribed', tone: '', hint: 'Left all marketing email' },
  bounced: { label: 'Bounced', tone: 'bad', hint: 'Mail to this address failed' },
  complained: { label: 'Complained', tone: 'bad', hint: 'Marked a message as spam' },
};
/** Every status, in the order the filters show them (the labels' keys: the contract's statuses, no zod in the browser). */
export const contactStatuses = Object.keys(statusLabels) as ContactStatus[];

/** The form editor's values: everything the create route takes, filled in. */
export type FormInput = Required<FormCreateInput> & { customFields: FormField[] };

/** The list's search and filters (GET /api/contacts's query, without its paging). */
export type ContactFilter = Omit<QueryOf<typeof contactListQuery>, 'cursor' | 'limit'>;

const enc = encodeURIComponent;

export const audience = {
  contacts: (q: QueryOf<typeof contactListQuery>) => apiGet<ContactPage, typeof contactListQuery>('/api/contacts', q),
  contact: (id: string) => apiGet<ContactDetail>(`/api/contacts/${enc(id)}`),
  createContact: (body: ContactCreateInput) => apiSend<Contact>('POST', '/api/contacts', body),
  updateContact: (id: string, body: ContactUpdateInput) => apiSend<Contact>('PATCH', `/api/contacts/${enc(id)}`, body),
  deleteContact: (id: string) => apiSend('DELETE', `/api/contacts/${enc(id)}`),
  tagContact: (id: string, body: ContactTagInput) => apiSend<ContactTagResult>('POST', `/api/contacts/${enc(id)}/tags`, body),
  untagContact: (id: string, tagId: string) => apiSend('DELETE', `/api/contacts/${enc(id)}/tags/${enc(tagId)}`),
  subscribe: (id: string, listId: string, consentNote?: string) => apiSend<SubscribeResult>('POST', `/api/contacts/${enc(id)}/lists/${enc(listId)}`, { consentNote }),
  unsubscribe: (id: string, listId: string) => apiSend('DELETE', `/api/contacts/${enc(id)}/lists/${enc(listId)}`),
  bulkTag: (body: BulkTagInput) => apiSend<BulkTagResult>('POST', '/api/contacts/bulk-tag', body),
  /** A plain link: the browser downloads the file with the session cookie. */
  exportUrl: (f: ContactFilter) => apiUrl<typeof contactExportQuery>('/api/contacts/export.csv', { status: f.status, listId: f.listId, tagId: f.tagId, segmentId: f.segmentId }),

  lists: () => apiGet<ContactLists>('/api/lists'),
  createList: (body: ListInput) => apiSend<ContactList>('POST', '/api/lists', body),
  updateList: (id: string, body: ListUpdateInput) => apiSend<ContactList>('PATCH', `/api/lists/${enc(id)}`, body),
  deleteList: (id: string) => apiSend('DELETE', `/api/lists/${enc(id)}`),

  tags: () => apiGet<Tags>('/api/tags'),
  createTag: (name: string) => apiSend<TagRef>('POST', '/api/tags', { name }),
  renameTag: (id: string, name: string) => apiSend<TagRef>('PATCH', `/api/tags/${enc(id)}`, { name }),
  deleteTag: (id: string) => apiSend('DELETE', `/api/tags/${enc(id)}`),

  segments: () => apiGet<Segments>('/api/segments'),
  segment: (id: string) => apiGet<SegmentDetail>(`/api/segments/${enc(id)}`),
  previewSegment: (rules: SegmentRules) => apiSend<SegmentPreview>('POST', '/api/segments/preview', { rules }),
  createSegment: (body: SegmentInput) => apiSend<Segment>('POST', '/api/segments', body),
  updateSegment: (id: string, body: SegmentUpdateInput) => apiSend<Segment>('PATCH', `/api/segments/${enc(id)}`, body),
  deleteSegment: (id: string) => apiSend('DELETE', `/api/segments/${enc(id)}`),

  forms: () => apiGet<OptInForms>('/api/forms'),
  form: (id: string) => apiGet<FormDetail>(`/api/forms/${enc(id)}`),
  createForm: (body: FormCreateInput) => apiSend<OptInForm>('POST', '/api/forms', body),
  updateForm: (id: string, body: FormUpdateInput) => apiSend<OptInForm>('PATCH', `/api/forms/${enc(id)}`, body),
  uploadLeadMagnet: (id: string, file: File) => apiUpload<OptInForm>('PUT', apiUrl<typeof leadMagnetQuery>(`/api/forms/${enc(id)}/lead-magnet`, { name: file.name }), file),
  removeLeadMagnet: (id: string) => apiSend('DELETE', `/api/forms/${enc(id)}/lead-magnet`),

  imports: () => apiGet<Imports>('/api/imports'),
  import: (id: string) => apiGet<ImportView>(`/api/imports/${enc(id)}`),
  upload: (file: File) => apiUpload<ImportUpload>('POST', apiUrl<typeof importUploadQuery>('/api/imports', { filename: file.name }), file, 'text/csv'),
  startImport: (id: string, body: ImportStartInput) => apiSend<ImportView>('POST', `/api/imports/${enc(id)}/start`, body),
  cancelImport: (id: string) => apiSend<ImportView>('POST', `/api/imports/${enc(id)}/cancel`),
  resumeImport: (id: string) => apiSend<ImportView>('POST', `/api/imports/${enc(id)}/resume`),
  importIssues: (id: string, limit = 20) => apiGet<ImportIssues, typeof importIssuesQuery>(`/api/imports/${enc(id)}/issues`, { limit }),
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
