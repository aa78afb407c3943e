// Rename in place: a "Rename" button that turns into a small form (Enter saves, Escape
// cancels), instead of a prompt() dialog. The server's objection stays next to the field.
import { useId, useState } from 'react';
import { useAction } from '../lib/use-action.js';
import { FormError } from './form-error.js';

export function InlineRename({ value, label, onSave, maxLength = 200 }: { value: string; label: string; onSave(next: string): Promise<unknown>; maxLength?: number }) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value);
  const save = useAction(async () => {
    await onSave(text.trim());
    setEditing(false);
  });
  if (!editing) {
    return (
      <button
        type="button"
        className="button small subtle"
        onClick={() => {
          setText(value);
          save.clearError();
          setEditing(true);
        }}
      >
        Rename<span className="visually-hidden"> {value}</span>
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        value={text}
        required
        maxLength={maxLength}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setEditing(false);
        }}
      />{' '}
      <button type="submit" className="button small primary" disabled={save.pending || !text.trim()}>
        Save
      </button>{' '}
      <button type="button" className="button small subtle" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <FormError error={save.error} />
    </form>
  );
}
