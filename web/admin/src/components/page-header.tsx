import { useEffect, useRef, type ReactNode } from 'react';
import { useTitle } from '../lib/use-title.js';

/**
 * The page's one <h1>. It takes focus when the page opens so that keyboard and screen-reader
 * users start at the top of the new page, as after a full page load.
 */
export function PageHeader({ title, intro, actions }: { title: string; intro?: ReactNode; actions?: ReactNode }) {
  useTitle(title);
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header className="page-header">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {intro ? <p className="page-intro">{intro}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
