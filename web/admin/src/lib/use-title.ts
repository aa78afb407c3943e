import { useEffect } from 'react';

/** Sets the browser tab title: "Team · Onehour". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Onehour` : 'Onehour';
  }, [title]);
}
