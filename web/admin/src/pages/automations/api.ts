// The automations area's calls to the automation API (src/modules/automation/routes.ts).
import { apiGet, apiSend, type IsoDate } from '../../api.js';

export type RunState = 'active' | 'waiting' | 'done' | 'exited' | 'failed';
export type WorkflowStatus = 'draft' | 'live' | 'paused' | 'deleted';

export interface Trigger {
  type: string;
  [k: string]: unknown;
}

export interface Step {
  id: string;
  kind: StepKind;
  label?: string;
  next?: string | null;
  [k: string]: unknown;
}

export type StepKind = 'wait' | 'wait_until' | 'wait_weekday' | 'wait_event' | 'condition' | 'split' | 'email' | 'tag' | 'set_field' | 'list' | 'access' | 'task' | 'webhook' | 'notify' | 'end';

/** A course, blog post or product a task step is about, as picked (the label is its title then). */
export interface TaskStepSubject {
  type: string;
  id: string;
  label: string;
}

export interface Goal {
  id: string;
  label: string;
  event: 'order.paid' | 'contact.tagged';
  tagId?: string;
  productIds?: string[];
  then: string | null;
}

export interface Definition {
  triggers: Trigger[];
  start: string | null;
  steps: Step[];
  goals: Goal[];
  reentry: 'once' | 'days' | 'always';
  reentryDays?: number;
  onUnsubscribe: 'skip_email' | 'end';
  attributionDays: number;
}

export interface Workflow {
  id: string;
  name: string;
  status: WorkflowStatus;
  template: string | null;
  versionId: string | null;
  definition: Definition;
  triggers: string[];
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface WorkflowSummary extends Workflow {
  version: number | null;
  counts: Record<RunState, number>;
  revenue: number;
  health: { overdue: number; failureRate: number };
}

export interface StepStats {
  stepId: string;
  entered: number;
  done: number;
  skipped: number;
  failed: number;
  waiting: number;
  branches?: { branch: number; runs: number; revenue: number }[];
}

export interface WorkflowDetail extends Workflow {
  problems: { stepId?: string; message: string }[];
  versions: { id: string; number: number; publishedAt: IsoDate }[];
  steps: StepStats[];
}

export interface Run {
  id: string;
  contactId: string;
  contactEmail: string | null;
  version: number;
  state: RunState;
  stepId: string | null;
  dueAt: IsoDate | null;
  endReason: string | null;
  revenue: number;
  startedAt: IsoDate;
  endedAt: IsoDate | null;
}

export interface Template {
  id: string;
  name: string;
  description: string;
}

export interface Health {
  overdue: number;
  failedLast7Days: number;
  endedLast7Days: number;
  failureRate: number;
}

export const automationsApi = {
  list: () => apiGet<{ workflows: WorkflowSummary[]; health: Health }>('/api/automations'),
  templates: () => apiGet<{ templates: Template[] }>('/api/automations/templates'),
  create: (body: { name: string; template?: string }) => apiSend<Workflow>('POST', '/api/automations', body),
  get: (id: string) => apiGet<WorkflowDetail>(`/api/automations/${id}`),
  save: (id: string, body: { name?: string; definition?: Definition }) => apiSend<Workflow>('PATCH', `/api/automations/${id}`, body),
  publish: (id: string, waiting: 'keep' | 'move') => apiSend<{ version: number; moved: number }>('POST', `/api/automations/${id}/publish`, { waiting }),
  pause: (id: string) => apiSend<Workflow>('POST', `/api/automations/${id}/pause`),
  resume: (id: string) => apiSend<Workflow>('POST', `/api/automations/${id}/resume`),
  remove: (id: string) => apiSend<{ ended: number }>('DELETE', `/api/automations/${id}`),
  enrol: (id: string, contactIds: string[]) => apiSend<{ entered: number; refused: number }>('POST', `/api/automations/${id}/enrol`, { contactIds }),
  dryRun: (id: string, contactId: string) => apiSend<{ steps: { stepId: string; kind: string; at: IsoDate; what: string }[] }>('POST', `/api/automations/${id}/dry-run`, { contactId }),
  runs: (id: string, state?: RunState) => apiGet<{ runs: Run[] }>(`/api/automations/${id}/runs`, { state }),
  run: (runId: string) =>
    apiGet<{ run: Run & { workflowId: string }; steps: { seq: number; stepId: string; kind: string; status: string; detail: string; at: IsoDate }[] }>(`/api/automation-runs/${runId}`),
  retry: (runId: string) => apiSend('POST', `/api/automation-runs/${runId}/retry`),
  skip: (runId: string) => apiSend('POST', `/api/automation-runs/${runId}/skip`),
  tags: () => apiGet<{ tags: { id: string; name: string }[] }>('/api/tags'),
  lists: () => apiGet<{ lists: { id: string; name: string }[] }>('/api/lists'),
  forms: () => apiGet<{ forms: { id: string; name: string }[] }>('/api/forms'),
  // Catalog and courses are other areas' (their permissions): a role without them gets an empty picker.
  products: () => apiGet<{ products: { id: string; name: string }[] }>('/api/products').catch(() => ({ products: [] })),
  courses: () => apiGet<{ courses: { id: string; title: string }[] }>('/api/learning/courses').catch(() => ({ courses: [] })),
  // The task step's pickers: the team (task managers only) and the SOPs.
  people: () => apiGet<{ people: { id: string; name: string; role: string }[] }>('/api/tasks').catch(() => ({ people: [] })),
  sops: () => apiGet<{ sops: { id: string; title: string; archived: boolean }[] }>('/api/sops').catch(() => ({ sops: [] })),
  /** what a task step can be about: courses, posts and products by title (the workflow editor's own search) */
  taskSubjects: (q: string) => apiGet<{ subjects: TaskStepSubject[] }>('/api/automations/task-subjects', { q }),
  contacts: (q: string) => apiGet<{ contacts: { id: string; email: string; name: string }[] }>('/api/contacts', { q, limit: 10 }),
};

export const stateLabels: Record<RunState, { label: string; tone: string }> = {
  active: { label: 'Running', tone: 'good' },
  waiting: { label: 'Waiting', tone: '' },
  done: { label: 'Done', tone: 'good' },
  exited: { label: 'Left', tone: '' },
  failed: { label: 'Failed', tone: 'bad' },
};

export const triggerLabels: Record<string, string> = {
  'contact.subscribed': 'Subscribes (any form or list)',
  'contact.confirmed': 'Confirms their subscription',
  'tag.added': 'Gets a tag',
  'tag.removed': 'Loses a tag',
  'order.paid': 'Pays an order',
  'order.refunded': 'Is refunded',
  'payment.failed': 'A payment fails',
  'checkout.abandoned': 'Starts a checkout and does not pay',
  'lesson.completed': 'Completes a lesson',
  'lesson.unlocked': 'Gets a lesson unlocked',
  'course.completed': 'Completes a course',
  'field.changed': 'Has a field changed',
  'course.stalled': 'Makes no course progress for some days',
  inactive: 'Opens and clicks nothing for some days',
  'date.field': 'Reaches a date in a field (a birthday)',
  'signup.after': 'Signed up some days ago',
  manual: 'Enrolled by hand or from the API',
};

export const stepLabels: Record<StepKind, string> = {
  wait: 'Wait',
  wait_until: 'Wait until a date',
  wait_weekday: 'Wait until a weekday and time',
  wait_event: 'Wait for something to happen',
  condition: 'If / else',
  split: 'A/B split',
  email: 'Send an email',
  tag: 'Add or remove a tag',
  set_field: 'Set a field',
  list: 'Subscribe or unsubscribe a list',
  access: 'Grant or revoke access',
  task: 'Create a task',
  webhook: 'Call a webhook',
  notify: 'Notify the owner',
  end: 'End',
};
