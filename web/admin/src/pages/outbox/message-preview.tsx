import { useEffect, useRef, useState, type ReactNode } from 'react';
import { outbox } from '../../api.js';
import { LoadState } from '../../components/load-state.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../lib/use-load.js';
import { statusLabels } from './status.js';

/** One message: headers, then its text or its HTML in a sandbox that runs nothing. */
export function MessagePreview({ id, onClose }: { id: string; onClose(): void }) {
  const state = useLoad(() => outbox.get(id), [id]);
  const [view, setView] = useState<'html' | 'text'>('html');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state.data) heading.current?.focus({ preventScroll: false });
  }, [state.data]);

  return (
    <LoadState state={state} label="Opening the message…">
      {(m) => {
        const shown = m.html && view === 'html' ? 'html' : 'text';
        const status = statusLabels[m.status] ?? { label: m.status, tone: '' };
        return (
          <article className="preview">
            <div className="section-head">
              <h2 ref={heading} tabIndex={-1} className="break">
                {m.subject}
              </h2>
              <button type="button" className="button subtle small" onClick={onClose}>
                Close<span className="visually-hidden"> the preview</span>
              </button>
            </div>
            <dl className="facts compact">
              <div>
                <dt>From</dt>
                <dd className="break">{m.from}</dd>
              </div>
              <div>
                <dt>To</dt>
                <dd className="break">{m.to}</dd>
              </div>
              <div>
                <dt>Status</dt>
                <dd>
                  <span className={`badge ${status.tone}`}>{status.label}</span> {m.sentAt ? <Time iso={m.sentAt} /> : <Time iso={m.createdAt} />}
                </dd>
              </div>
              <div>
                <dt>Kind</dt>
                <dd>
                  <code>{m.tag}</code> ({m.stream})
                </dd>
              </div>
            </dl>
            {m.error ? <p className="form-error">Sending failed: {m.error}</p> : null}
            {m.html ? (
              <div className="segmented" role="group" aria-label="Version">
                <button type="button" aria-pressed={shown === 'html'} onClick={() => setView('html')}>
                  HTML
                </button>
                <button type="button" aria-pressed={shown === 'text'} onClick={() => setView('text')}>
                  Plain text
                </button>
              </div>
            ) : (
              <p className="muted small">This message has a plain-text version only.</p>
            )}
            {shown === 'html' && m.html ? (
              // sandbox="": no scripts, no forms, no navigation, no same-origin access.
              <iframe className="email-frame" sandbox="" srcDoc={m.html} title={`HTML version of “${m.subject}”`} />
            ) : (
              <pre className="email-text">{linkify(m.text)}</pre>
            )}
          </article>
        );
      }}
    </LoadState>
  );
}

/**
 * Links in the plain text become clickable. A link whose token is [hidden] (reset, invitation
 * and sign-in links: only the recipient gets them) stays plain text: it leads nowhere.
 */
function linkify(text: string): ReactNode[] {
  return text.split(/(https?:\/\/[^\s<>"]+)/g).map((part, i) =>
    i % 2 === 1 && !part.includes('[hidden]') ? (
      <a key={i} href={part} target="_blank" rel="noopener noreferrer">
        {part}
      </a>
    ) : (
      part
    ),
  );
}
