// The foot of a paged list: "Show more (50 of 1,234)" while there is a next page, and the
// error if loading it failed.
import type { Action } from '../lib/use-action.js';
import { FormError } from './form-error.js';

const numbers = new Intl.NumberFormat();

export function LoadMore({ more, nextCursor, shown, total }: { more: Action<[string]>; nextCursor: string | null; shown: number; total: number }) {
  return (
    <div className="load-more">
      <FormError error={more.error} />
      {nextCursor ? (
        <button type="button" className="button" disabled={more.pending} onClick={() => void more.run(nextCursor)}>
          {more.pending ? 'Loading…' : `Show more (${numbers.format(shown)} of ${numbers.format(total)})`}
        </button>
      ) : null}
    </div>
  );
}
