import type { ApiError } from '../api.js';

/** The whole screen while the session loads, or when the server cannot be reached at all. */
export function Splash({ error, onRetry }: { error: ApiError | null; onRetry(): void }) {
  return (
    <div className="splash">
      <div className="brand brand-large" aria-hidden="true">
        <span className="brand-mark">1h</span> Onehour
      </div>
      {error ? (
        <div className="card splash-card" role="alert">
          <h1>Onehour is not answering</h1>
          <p>{error.message}</p>
          <button type="button" className="button primary" onClick={onRetry}>
            Try again
          </button>
        </div>
      ) : (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      )}
    </div>
  );
}
