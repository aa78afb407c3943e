// Which screen shows: first-run setup until an owner exists, the signed-out screens, and
// the shell with every area from nav.ts for a signed-in person.
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Shell } from './layout/shell.js';
import { navItems } from './nav.js';
import { AcceptInvitationPage } from './pages/auth/accept-invitation-page.js';
import { ForgotPasswordPage } from './pages/auth/forgot-password-page.js';
import { ResetPasswordPage } from './pages/auth/reset-password-page.js';
import { SetupPage } from './pages/auth/setup-page.js';
import { SignInPage } from './pages/auth/sign-in-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { useSession } from './session.js';

/** Where sign-in sends you back to. */
export interface ReturnState {
  from?: string;
}

function RequireUser({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search } satisfies ReturnState} />;
  return <>{children}</>;
}

function SignInRoute() {
  const { user } = useSession();
  const location = useLocation();
  const from = (location.state as ReturnState | null)?.from;
  if (user) return <Navigate to={from && from !== '/sign-in' ? from : '/'} replace />;
  return <SignInPage />;
}

export function AppRoutes() {
  const { state } = useSession();

  if (state.needsSetup) {
    return (
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="*" element={<Navigate to="/setup" replace />} />
      </Routes>
    );
  }

  return (
    <Routes>
      <Route path="/sign-in" element={<SignInRoute />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
      <Route path="/setup" element={<Navigate to="/" replace />} />
      <Route
        element={
          <RequireUser>
            <Shell />
          </RequireUser>
        }
      >
        {navItems.map(({ id, path, page: Page }) =>
          path === '/' ? <Route key={id} index element={<Page />} /> : <Route key={id} path={`${path.slice(1)}/*`} element={<Page />} />,
        )}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
