// A task manager changes one open occurrence's checklist (PUT /api/task-occurrences/:id/checklist):
// the items one per line, or the SOP's current checklist taken in. An unchanged line keeps its
// tick; the next occurrences still copy the SOP.
import { useState } from 'react';
import { TextAreaField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { useAction } from '../../lib/use-action.js';
import { tasksApi, type TaskOccurrence } from './api.js';

export function ChecklistEditor({ occurrence: o, onSaved, onCancel }: { occurrence: TaskOccurrence; onSaved: (o: TaskOccurrence) => void; onCancel: () => void }) {
  const [text, setText] = useState(() => o.checklist.map((i) => i.text).join('\n'));
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const fromSop = useAction(async () => {
    if (!o.sop) return;
    setText((await tasksApi.sop(o.sop.id)).sop.checklist.join('\n'));
  });
  const save = useAction(async () => onSaved(await tasksApi.editChecklist(o.id, lines)));
  return (
    <form
      aria-label={`Checklist of ${o.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <TextAreaField
        label="Checklist items, one per line"
        hint="A line left as it is keeps its tick; a new or reworded line starts unticked. Only this occurrence changes: the next ones copy the SOP."
        rows={Math.min(12, Math.max(3, lines.length + 1))}
        maxLength={60_000}
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={save.fieldErrors.items}
      />
      <div className="actions">
        <button type="submit" className="button primary small" disabled={save.pending}>
          Save checklist ({lines.length} item{lines.length === 1 ? '' : 's'})
        </button>
        {o.sop ? (
          <button type="button" className="button small" disabled={fromSop.pending} onClick={() => void fromSop.run()}>
            Take the SOP’s current checklist
          </button>
        ) : null}
        <button type="button" className="button subtle small" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormError error={save.error ?? fromSop.error} />
    </form>
  );
}
