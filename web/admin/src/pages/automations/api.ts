// The automations area's calls to the automation API (src/modules/automation/routes.ts); the
// shapes, a workflow's definition with them, come from the server's contract
// (src/modules/automation/contract.ts), so a change there fails the type check here.
import { apiGet, apiSend } from '../../api.js';
import type { ContactLists, contactListQuery, ContactPage, OptInForms, Tags } from '../../../../../src/modules/audience/contract.js';
import type { ProductList } from '../../../../../src/modules/catalog/contract.js';
import type { CourseList } from '../../../../../src/modules/learning/contract.js';
import type { SopList, TaskList } from '../../../../../src/modules/tasks/contract.js';
import type {
  Definition,
  DryRun,
  DryRunInput,
  Enrolled,
  EnrolInput,
  FoundTaskSubjects,
  Goal,
  Health,
  Published,
  PublishInput,
  Removed,
  Run,
  RunList,
  runListQuery,
  RunState,
  RunTimeline,
  Step,
  StepKind,
  StepStats,
  taskSubjectQuery,
  TaskStepSubject,
  Template,
  TemplateList,
  Trigger,
  Workflow,
  WorkflowDetail,
  WorkflowInput,
  WorkflowList,
  WorkflowPatch,
  WorkflowStatus,
  WorkflowSummary,
} from '../../../../../src/modules/automation/contract.js';

export type { Definition, DryRun, Goal, Health, Run, RunState, RunTimeline, Step, StepKind, StepStats, TaskStepSubject, Template, Trigger, Workflow, WorkflowDetail, WorkflowStatus, WorkflowSummary };

export const automationsApi = {
  list: () => apiGet<WorkflowList>('/api/automations'),
  templates: () => apiGet<TemplateList>('/api/automations/templates'),
  create: (body: WorkflowInput) => apiSend<Workflow>('POST', '/api/automations', body),
  get: (id: string) => apiGet<WorkflowDetail>(`/api/automations/${id}`),
  save: (id: string, body: WorkflowPatch) => apiSend<Workflow>('PATCH', `/api/automations/${id}`, body),
  publish: (id: string, waiting: PublishInput['waiting']) => apiSend<Published>('POST', `/api/automations/${id}/publish`, { waiting } satisfies PublishInput),
  pause: (id: string) => apiSend<Workflow>('POST', `/api/automations/${id}/pause`),
  resume: (id: string) => apiSend<Workflow>('POST', `/api/automations/${id}/resume`),
  remove: (id: string) => apiSend<Removed>('DELETE', `/api/automations/${id}`),
  enrol: (id: string, contactIds: string[]) => apiSend<Enrolled>('POST', `/api/automations/${id}/enrol`, { contactIds } satisfies EnrolInput),
  dryRun: (id: string, contactId: string) => apiSend<DryRun>('POST', `/api/automations/${id}/dry-run`, { contactId } satisfies DryRunInput),
  runs: (id: string, state?: RunState) => apiGet<RunList, typeof runListQuery>(`/api/automations/${id}/runs`, { state }),
  run: (runId: string) => apiGet<RunTimeline>(`/api/automation-runs/${runId}`),
  retry: (runId: string) => apiSend('POST', `/api/automation-runs/${runId}/retry`),
  skip: (runId: string) => apiSend('POST', `/api/automation-runs/${runId}/skip`),
  tags: () => apiGet<Tags>('/api/tags'),
  lists: () => apiGet<ContactLists>('/api/lists'),
  forms: () => apiGet<OptInForms>('/api/forms'),
  // Catalog and courses are other areas' (their permissions): a role without them gets an empty picker.
  products: () => apiGet<ProductList>('/api/products').catch((): ProductList => ({ products: [] })),
  courses: () => apiGet<CourseList>('/api/learning/courses').catch((): CourseList => ({ courses: [] })),
  // The task step's pickers: the team (task managers only) and the SOPs.
  people: () => apiGet<Pick<TaskList, 'people'>>('/api/tasks').catch((): Pick<TaskList, 'people'> => ({ people: [] })),
  sops: () => apiGet<SopList>('/api/sops').catch((): SopList => ({ sops: [] })),
  /** what a task step can be about: courses, posts and products by title (the workflow editor's own search) */
  taskSubjects: (q: string) => apiGet<FoundTaskSubjects, typeof taskSubjectQuery>('/api/automations/task-subjects', { q }),
  contacts: (q: string) => apiGet<ContactPage, typeof contactListQuery>('/api/contacts', { q, limit: 10 }),
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
