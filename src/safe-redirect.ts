// The one check for redirect targets that come from a request (`next`, `return`): only a path
// on this site. Anything else (another origin, a scheme, `//host`, backslashes that browsers
// read as slashes, control characters that browsers drop or that split headers) gives the fallback.

const PROBE_ORIGIN = 'http://onehour.invalid';

/** `value` when it is a same-origin path, else `fallback`. */
export function safeRedirectPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\\\s]/u.test(value)) return fallback;
  if (!value.startsWith('/') || value.startsWith('//')) return fallback;
  // Encoded forms of the same tricks (`/%2F%2Fevil.example`, `/%5Cevil.example`), in case
  // something between here and the browser decodes once.
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  // eslint-disable-next-line no-control-regex
  if (decoded.startsWith('//') || /[\u0000-\u001f\u007f\\]/u.test(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  return value;
}
