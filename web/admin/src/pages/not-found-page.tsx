import { Link } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { PageHeader } from '../components/page-header.js';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <div className="card">
        <EmptyState title="Nothing is at this address" action={<Link to="/">Go to Home</Link>}>
          <p>The link may be old, or the page may belong to a module that is not installed yet.</p>
        </EmptyState>
      </div>
    </>
  );
}
