// Choosing the course a product opens, from the list of courses (never by pasting an id).
import { Link } from 'react-router';
import { SelectField } from '../../components/field.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { learning } from './api.js';

export function CoursePicker({ name = 'courseId', label = 'Course', defaultValue, hint, error, disabled }: { name?: string; label?: string; defaultValue?: string | null; hint?: string; error?: string; disabled?: boolean }) {
  const state = useLoad(() => learning.courses(), []);
  const mayCreate = useSession().can('learning.write');
  if (state.error) return <p className="field-error">The courses could not be loaded: {state.error.message}</p>;
  if (!state.data) return <p className="muted">Loading courses…</p>;
  const { courses } = state.data;
  if (courses.length === 0) {
    return (
      <p className="muted">
        No courses yet. {mayCreate ? <Link to="/courses">Create the course</Link> : 'Someone who builds courses creates it'}, then choose it here.
      </p>
    );
  }
  const options = [{ value: '', label: 'Choose a course…' }, ...courses.map((c) => ({ value: c.id, label: `${c.title}${c.status === 'published' ? '' : ` (${c.status})`}` }))];
  return <SelectField label={label} name={name} options={options} defaultValue={defaultValue ?? ''} hint={hint} error={error} disabled={disabled} />;
}
