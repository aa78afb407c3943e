// What a task is about: a search over courses, blog posts and products by title (through
// GET /api/tasks/subjects), replacing a typed label. The choice is stored as {type, id, label}.
// The workflow builder's task step uses it too, with its own search (the workflow editor's
// permission: GET /api/automations/task-subjects).
import { useEffect, useId, useState } from 'react';
import { TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { ApiError } from '../../api.js';
import { tasksApi, type TaskSubject } from './api.js';

export const subjectKindLabels: Record<string, string> = { course: 'Course', post: 'Blog post', product: 'Product', contact: 'Contact', page: 'Page' };

export function SubjectPicker({
  value,
  onChange,
  search = tasksApi.subjects,
  legend = 'About',
  none = 'Nothing in particular.',
}: {
  value: TaskSubject | null;
  onChange(value: TaskSubject | null): void;
  /** where to search (default: the task managers' GET /api/tasks/subjects) */
  search?: (q: string) => Promise<{ subjects: TaskSubject[] }>;
  legend?: string;
  /** what is shown while nothing is picked */
  none?: string;
}) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<TaskSubject[] | null>(null);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const listId = useId();
  useEffect(() => {
    const needle = q.trim();
    if (!needle) {
      setFound(null);
      return;
    }
    // The latest query wins: an older answer arriving late is dropped.
    let current = true;
    const timer = setTimeout(() => {
      search(needle).then(
        (r) => current && (setFound(r.subjects), setError(undefined)),
        (err: unknown) => current && setError(err instanceof ApiError ? err : new ApiError(0, 'internal', 'The search did not answer')),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q, search]);
  return (
    <fieldset className="subject-picker">
      <legend>{legend}</legend>
      {value ? (
        <p>
          {subjectKindLabels[value.type] ?? value.type}: <strong>{value.label}</strong>{' '}
          <button type="button" className="button small" onClick={() => onChange(null)}>
            Clear
          </button>
        </p>
      ) : (
        <p className="muted small">{none}</p>
      )}
      <TextField label="Find a course, post or product" type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} aria-controls={listId} autoComplete="off" />
      <ul id={listId} className="plain-list" aria-label="Matches" aria-live="polite">
        {found?.length === 0 ? <li className="muted small">Nothing matches “{q.trim()}”.</li> : null}
        {found?.map((s) => (
          <li key={`${s.type}:${s.id}`}>
            <button
              type="button"
              className="button small"
              onClick={() => {
                onChange(s);
                setQ('');
              }}
            >
              {subjectKindLabels[s.type] ?? s.type}: {s.label}
            </button>
          </li>
        ))}
      </ul>
      <FormError error={error} />
    </fieldset>
  );
}
