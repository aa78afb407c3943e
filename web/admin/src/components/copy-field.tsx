import { useId, useRef, useState } from 'react';

/**
 * A read-only value with a Copy button (an invitation link, an API key). The clipboard API
 * needs a secure context; over plain http on another host the text is selected instead and
 * the person copies it with their keyboard.
 */
export function CopyField({
  label,
  value,
  hint,
  copyValue = value,
  rows,
}: {
  label: string;
  /** what is shown */
  value: string;
  hint?: string;
  /** what is copied, when it differs from what is shown (a key shown in groups of four) */
  copyValue?: string;
  /** show all of a long value on this many lines instead of one scrolling line */
  rows?: number;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(copyValue);
      setStatus('Copied to the clipboard.');
    } catch {
      input.current?.select();
      setStatus('Selected: press Ctrl+C (⌘C on a Mac) to copy.');
    }
  };
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="input-with-button">
        {rows ? (
          <textarea id={id} ref={input} readOnly value={value} rows={rows} className="copy-text" onFocus={(e) => e.currentTarget.select()} aria-describedby={hint ? `${id}-hint` : undefined} />
        ) : (
          <input id={id} ref={input} readOnly value={value} className="mono" onFocus={(e) => e.currentTarget.select()} aria-describedby={hint ? `${id}-hint` : undefined} />
        )}
        <button type="button" className="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <p className="copy-status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
