import type { ReactNode } from 'react';
import type { Loaded } from '../lib/use-load.js';
import { Forbidden } from './forbidden.js';

/**
 * Renders a page's data once it is there; meanwhile a loading line, and on failure the
 * server's message with a retry, or the "your role cannot do this" page for a 403.
 */
export function LoadState<T>({ state, children, label = 'Loading…' }: { state: Loaded<T>; children: (data: T) => ReactNode; label?: string }) {
  if (state.error && state.data === undefined) {
    if (state.error.isForbidden) return <Forbidden message={state.error.message} />;
    return (
      <div className="load-error card" role="alert">
        <p>
          <strong>This could not be loaded.</strong> {state.error.message}
        </p>
        <button type="button" className="button" onClick={state.reload}>
          Try again
        </button>
      </div>
    );
  }
  if (state.data === undefined) {
    return (
      <p className="loading muted" role="status">
        <span className="spinner" aria-hidden="true" /> {label}
      </p>
    );
  }
  return <>{children(state.data)}</>;
}
