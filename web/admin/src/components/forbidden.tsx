import { Link } from 'react-router';
import { useSession } from '../session.js';
import { roleLabel } from '../lib/format.js';
import { useTitle } from '../lib/use-title.js';

/**
 * What a person sees when the server refuses their role (HTTP 403), or when they open a page
 * their role does not include. The refusal is in the audit log.
 */
export function Forbidden({ message }: { message?: string }) {
  const { user } = useSession();
  useTitle('Not allowed');
  return (
    <section className="forbidden card" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title" tabIndex={-1}>
        Your role cannot do this
      </h1>
      <p>
        {user ? (
          <>
            You are signed in as <strong>{user.name}</strong> with the <strong>{roleLabel(user.role)}</strong> role, which does not include this page.
          </>
        ) : (
          'Your role does not include this page.'
        )}
      </p>
      {message ? <p className="muted">Onehour said: {message}</p> : null}
      <p>If you need it for your work, ask the owner to change your role. The refusal has been recorded in the audit log.</p>
      <p>
        <Link to="/" className="button">
          Go to Home
        </Link>
      </p>
    </section>
  );
}
