// Loads data for a page: loading, error and the result, with reload. Pair with <LoadState>.
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiError } from '../api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
  /** replace the data locally after a write, without a round trip */
  setData(update: (current: T) => T): void;
}

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'internal', err instanceof Error ? err.message : 'Something went wrong');
}

export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const call = ++latest.current;
    setLoading(true);
    load().then(
      (result) => {
        if (call !== latest.current) return;
        setDataState(result);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (call !== latest.current) return;
        setError(asApiError(err));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((update: (current: T) => T) => setDataState((d) => (d === undefined ? d : update(d))), []);
  return { data, error, loading, reload, setData };
}
