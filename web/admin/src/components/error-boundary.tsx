import { Component, type ReactNode } from 'react';

/**
 * Catches a page that fails to render (or whose code cannot be loaded after an update) so
 * the rest of the admin keeps working.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(prev: { resetKey?: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    const chunk = /dynamically imported module|Failed to fetch|Importing a module script failed/i.test(this.state.error.message);
    return (
      <div className="card load-error" role="alert">
        <h1>{chunk ? 'Onehour was updated' : 'This page ran into a problem'}</h1>
        <p>{chunk ? 'Reload to get the new version of the admin.' : this.state.error.message}</p>
        <button type="button" className="button primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
