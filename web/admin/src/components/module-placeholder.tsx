import { Link } from 'react-router';
import { useSession } from '../session.js';
import type { Permission } from '../shared.js';
import { EmptyState } from './empty-state.js';
import { Forbidden } from './forbidden.js';
import { PageHeader } from './page-header.js';

/**
 * The page of an area whose module is not built yet: what it will do, so the navigation
 * already shows the shape of the business. Replace it with the module's real page.
 */
export function ModulePlaceholder({
  title,
  arrives,
  permission,
  intro,
  features,
}: {
  title: string;
  /** which module under src/modules/ brings the page, as a sentence: "Products arrive with the catalog module" */
  arrives: string;
  permission: Permission;
  intro: string;
  features: string[];
}) {
  const { can } = useSession();
  if (!can(permission)) return <Forbidden />;
  return (
    <>
      <PageHeader title={title} intro={intro} />
      <div className="card">
        <EmptyState title={arrives} action={<Link to="/">Back to Home</Link>}>
          <p>When it lands, this page will let you:</p>
          <ul className="feature-list">
            {features.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </EmptyState>
      </div>
    </>
  );
}
