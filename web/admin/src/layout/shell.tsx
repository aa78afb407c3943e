// The signed-in frame: navigation on the left (a menu button on small screens), the page
// on the right. Navigation entries come from nav.ts, filtered by the person's permissions.
import { Suspense, useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { ConfirmProvider } from '../components/confirm.js';
import { ErrorBoundary } from '../components/error-boundary.js';
import { Icon } from '../components/icon.js';
import { roleLabel } from '../lib/format.js';
import { navItems, navSections } from '../nav.js';
import { useSession, useUser } from '../session.js';
import { Brand } from './brand.js';

export function Shell() {
  const { can, signOut } = useSession();
  const user = useUser();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => setMenuOpen(false), [location.pathname]);
  useEffect(() => {
    if (!menuOpen) return;
    document.querySelector<HTMLElement>('#sidebar .nav-link')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setMenuOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const visible = navItems.filter((item) => can(item.permission));

  return (
    <ConfirmProvider>
      <div className="shell" data-menu-open={menuOpen || undefined}>
        <a
          className="skip-link"
          href="#main"
          onClick={(e) => {
            e.preventDefault();
            document.getElementById('main')?.focus();
          }}
        >
          Skip to content
        </a>
        <header className="topbar">
          <Brand />
          <button type="button" className="button subtle menu-button" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
            <Icon name={menuOpen ? 'close' : 'menu'} /> Menu
          </button>
        </header>
        <aside className="sidebar" id="sidebar">
          <div className="sidebar-brand">
            <Brand />
          </div>
          <nav aria-label="Main">
            {navSections.map((section) => {
              const items = visible.filter((i) => i.section === section.id);
              if (!items.length) return null;
              return (
                <div className="nav-section" key={section.id}>
                  {section.label ? (
                    <h2 className="nav-heading" id={`nav-${section.id}`}>
                      {section.label}
                    </h2>
                  ) : null}
                  <ul aria-labelledby={section.label ? `nav-${section.id}` : undefined}>
                    {items.map((item) => (
                      <li key={item.id}>
                        <NavLink to={item.path} end={item.path === '/'} className="nav-link">
                          <Icon name={item.icon} /> {item.label}
                        </NavLink>
                      </li>
                    ))}
                  </ul>
                </div>
              );
            })}
          </nav>
          <div className="sidebar-user">
            <div className="sidebar-user-text">
              <span className="truncate sidebar-user-name">{user.name}</span>
              <span className="truncate muted small" title={user.email}>
                {roleLabel(user.role)} · {user.email}
              </span>
            </div>
            <button
              type="button"
              className="button subtle small sign-out"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                void signOut().finally(() => setSigningOut(false));
              }}
            >
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </aside>
        <div className="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />
        <main id="main" tabIndex={-1}>
          <ErrorBoundary resetKey={location.pathname}>
            <Suspense
              fallback={
                <p className="loading muted" role="status">
                  <span className="spinner" aria-hidden="true" /> Loading…
                </p>
              }
            >
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </main>
      </div>
    </ConfirmProvider>
  );
}
