// The tasks area's calls to the tasks API (src/modules/tasks/routes.ts); shapes from its contract.
import { ApiError, apiGet, apiSend } from '../../api.js';
import type { MyDay, NotificationSettings, Person, RecurrenceInput, Sop, SopInput, SopRevision, Task, TaskInput, TaskOccurrence } from '../../../../../src/modules/tasks/contract.js';
import type { OccurrenceList, SopDetail, SopList, SopPreview, subjectQuery, TaskList, TaskSubjects } from '../../../../../src/modules/tasks/contract.js';
import type { ConversationList, conversationListQuery } from '../../../../../src/modules/support/contract.js';

export type { MyDay, NotificationSettings, Person, RecurrenceInput, Sop, SopInput, SopRevision, Task, TaskInput, TaskOccurrence };

/** What a task is about in another module. */
export type TaskSubject = NonNullable<Task['subject']>;

const occ = (id: string) => `/api/task-occurrences/${encodeURIComponent(id)}`;

export const tasksApi = {
  myDay: () => apiGet<MyDay>('/api/tasks/my-day'),
  subjects: (q: string) => apiGet<TaskSubjects, typeof subjectQuery>('/api/tasks/subjects', { q }),
  mySettings: () => apiGet<NotificationSettings>('/api/tasks/my-settings'),
  setMySettings: (body: NotificationSettings) => apiSend<NotificationSettings>('PUT', '/api/tasks/my-settings', body),
  tick: (id: string, itemId: string, done: boolean) => apiSend<TaskOccurrence>('POST', `${occ(id)}/items/${encodeURIComponent(itemId)}`, { done }),
  /** a task manager: the item texts in their new order (unchanged texts keep their ticks) */
  editChecklist: (id: string, items: string[]) => apiSend<TaskOccurrence>('PUT', `${occ(id)}/checklist`, { items }),
  complete: (id: string) => apiSend<TaskOccurrence>('POST', `${occ(id)}/complete`),
  skip: (id: string, reason: string) => apiSend<TaskOccurrence>('POST', `${occ(id)}/skip`, { reason }),
  /** done or skipped → open again (the event records who re-opened it) */
  reopen: (id: string) => apiSend<TaskOccurrence>('POST', `${occ(id)}/reopen`, {}),
  list: () => apiGet<TaskList>('/api/tasks'),
  create: (body: TaskInput) => apiSend<Task>('POST', '/api/tasks', body),
  update: (id: string, body: Partial<TaskInput>) => apiSend<Task>('PATCH', `/api/tasks/${encodeURIComponent(id)}`, body),
  archive: (id: string) => apiSend('DELETE', `/api/tasks/${encodeURIComponent(id)}`),
  history: (id: string) => apiGet<OccurrenceList>(`/api/tasks/${encodeURIComponent(id)}/occurrences`),
  sops: () => apiGet<SopList>('/api/sops'),
  sop: (id: string) => apiGet<SopDetail>(`/api/sops/${encodeURIComponent(id)}`),
  createSop: (body: SopInput) => apiSend<Sop>('POST', '/api/sops', body),
  updateSop: (id: string, body: Partial<SopInput>) => apiSend<Sop>('PATCH', `/api/sops/${encodeURIComponent(id)}`, body),
  archiveSop: (id: string) => apiSend('DELETE', `/api/sops/${encodeURIComponent(id)}`),
  preview: (body: string) => apiSend<SopPreview>('POST', '/api/sops/preview', { body }),
};

/** One row of the support module's conversation list (its contract: subject, customer name and email). */
export type ConversationSummary = ConversationList['conversations'][number];

/**
 * The caller's open conversations from the support module, or null when there is no inbox to
 * ask: the endpoint arrives with the support module, so until it is installed it answers 404
 * (and a role without the inbox gets 403) — My day then simply has no conversations section.
 */
export async function myConversations(): Promise<ConversationSummary[] | null> {
  try {
    const res = await apiGet<ConversationList, typeof conversationListQuery>('/api/support/conversations', { assignee: 'me', status: 'open' });
    return res.conversations;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return null;
    throw err;
  }
}

export const roleLabels: Record<string, string> = { owner: 'Owner', admin: 'Admins', support: 'Support', content: 'Content', marketing: 'Marketing' };
export const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
