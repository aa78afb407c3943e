// Who is signed in. Loaded once from /api/auth/session, replaced by every response that
// carries the session shape (setup, sign-in, two-factor, invitation, password change), and
// re-read when a request comes back 401. The CSRF token travels with it into api.ts.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { auth, setCsrfToken, setUnauthenticatedHandler, type ApiError, type SessionState, type User } from './api.js';
import type { Permission } from './shared.js';
import { Splash } from './components/splash.js';

export interface SessionContextValue {
  state: SessionState;
  /** the signed-in user; only use inside the shell, where one always exists */
  user: User | null;
  /** take the session from an API response (sign-in, setup, password change, …) */
  apply(next: SessionState): void;
  /** read the session from the server again */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  /** Whether the role holds the permission. For showing and hiding only: the server decides. */
  can(permission: Permission | null): boolean;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const apply = useCallback((next: SessionState) => {
    setCsrfToken(next.csrfToken);
    setState(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      apply(await auth.session());
      setError(null);
    } catch (err) {
      setError(err as ApiError);
    }
  }, [apply]);

  useEffect(() => {
    void refresh();
    setUnauthenticatedHandler(() => void refresh());
    return () => setUnauthenticatedHandler(null);
  }, [refresh]);

  const signOut = useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      await refresh();
    }
  }, [refresh]);

  const value = useMemo<SessionContextValue | null>(() => {
    if (!state) return null;
    const granted = new Set(state.permissions);
    return { state, user: state.user, apply, refresh, signOut, can: (p) => p === null || granted.has(p) };
  }, [state, apply, refresh, signOut]);

  if (!value) return <Splash error={error} onRetry={() => void refresh()} />;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The signed-in user, inside the shell (the shell only renders with one). */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('useUser outside the signed-in shell');
  return user;
}
