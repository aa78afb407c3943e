// Runs a write from a form or a button: pending while it runs, the server's error afterwards
// (shown next to the form by <FormError>), field errors for aria-invalid.
import { useCallback, useState, type FormEvent } from 'react';
import type { ApiError } from '../api.js';
import { asApiError } from './use-load.js';

export interface Action<A extends unknown[]> {
  run(...args: A): Promise<boolean>;
  pending: boolean;
  error: ApiError | undefined;
  fieldErrors: Record<string, string>;
  clearError(): void;
}

export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): Action<A> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = useCallback(
    async (...args: A) => {
      setPending(true);
      setError(undefined);
      try {
        await fn(...args);
        return true;
      } catch (err) {
        setError(asApiError(err));
        return false;
      } finally {
        setPending(false);
      }
    },
    [fn],
  );
  return { run, pending, error, fieldErrors: error?.fieldErrors() ?? {}, clearError: () => setError(undefined) };
}

/** A submit handler that reads the form's fields by name; resets the form when the action succeeds and `reset` is true. */
export function useFormAction(fn: (form: FormValues) => Promise<unknown>, opts: { reset?: boolean } = {}) {
  const action = useAction(fn);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const ok = await action.run(new FormValues(new FormData(formEl)));
    if (ok && opts.reset) formEl.reset();
  };
  return { ...action, onSubmit };
}

/** Typed reads from FormData. */
export class FormValues {
  constructor(private readonly data: FormData) {}
  text(name: string): string {
    const v = this.data.get(name);
    return typeof v === 'string' ? v : '';
  }
  checked(name: string): boolean {
    return this.data.get(name) !== null;
  }
}
