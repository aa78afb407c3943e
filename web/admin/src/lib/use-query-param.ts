import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A filter kept in the address (so it survives reload and can be shared) that updates the
 * control at once: router navigations run as transitions, and a control bound straight to
 * the URL would snap back for a moment after each click.
 */
export function useQueryParam(name: string): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get(name) ?? '';
  const [value, setValue] = useState(fromUrl);
  useEffect(() => setValue(fromUrl), [fromUrl]);
  const update = useCallback(
    (next: string) => {
      setValue(next);
      setParams(
        (current) => {
          const copy = new URLSearchParams(current);
          if (next) copy.set(name, next);
          else copy.delete(name);
          return copy;
        },
        { replace: true },
      );
    },
    [name, setParams],
  );
  return [value, update];
}
