// One defence for every route, before its schemas run: text PostgreSQL cannot store (NUL),
// control characters in URL parts (CR/LF splits headers and logs), input nested deep enough
// to exhaust the stack, and a PATCH that names nothing to change. Each is a 400 with the usual
// error shape, instead of a 500 from deep inside a service or the database.
import { invalid } from '../errors.js';

/** Deeper than any body we accept (segment rules included), shallow enough for any recursion. */
export const MAX_INPUT_DEPTH = 32;

// eslint-disable-next-line no-control-regex
const URL_PART_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f]/u;

function describe(where: string, path: (string | number)[]): string {
  return path.length ? `${where}.${path.join('.')}` : where;
}

/**
 * Walks the input without recursion (a 1 MB body can nest ~500 000 levels). `urlPart`: params
 * and query strings, where no control character (tab aside) belongs.
 */
export function assertCleanInput(where: 'params' | 'query' | 'body', value: unknown): void {
  const urlPart = where !== 'body';
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw invalid(`${describe(where, path)}: contains a NUL character (\\u0000), which cannot be stored`, { field: describe(where, path) });
      if (urlPart && URL_PART_FORBIDDEN.test(v)) throw invalid(`${describe(where, path)}: contains a control character (such as a line break), which is not allowed here`, { field: describe(where, path) });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_INPUT_DEPTH) throw invalid(`${where}: nested too deeply (${MAX_INPUT_DEPTH} levels at most)`);
    if (Buffer.isBuffer(v) || typeof (v as { pipe?: unknown }).pipe === 'function') continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
      continue;
    }
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      if (key.includes('\u0000') || (urlPart && URL_PART_FORBIDDEN.test(key))) throw invalid(`${where}: a field name contains a control character`);
      stack.push({ value: item, path: [...path, key] });
    }
  }
}

/** A PATCH changes something: an empty body (or one with only the form token) is refused. */
export function assertSomethingToChange(body: unknown): void {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== '_csrf') : [];
  if (fields.length === 0) throw invalid('Nothing to change: send at least one field to update');
}
