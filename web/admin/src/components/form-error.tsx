import type { ReactNode } from 'react';
import type { ApiError } from '../api.js';

/**
 * The server's answer next to the form. The live region is always in the page so screen
 * readers announce the message when it appears.
 */
export function FormError({ error }: { error: ApiError | undefined }) {
  return (
    <div className="form-error-region" aria-live="assertive" aria-atomic="true">
      {error ? (
        <p className="form-error">
          <strong>{error.isForbidden ? 'Not allowed: ' : error.code === 'network' ? 'No connection: ' : ''}</strong>
          {error.message}
        </p>
      ) : null}
    </div>
  );
}

/** A calm confirmation after a write ("Invitation sent"), announced politely. */
export function FormNotice({ children }: { children: ReactNode }) {
  return (
    <div className="form-notice-region" aria-live="polite" aria-atomic="true">
      {children ? <p className="form-notice">{children}</p> : null}
    </div>
  );
}
