/** The server's minimum (MIN_PASSWORD_LENGTH in src/modules/team/password-policy.ts); it checks again. */
export const MIN_PASSWORD_LENGTH = 12;

/** The token in a mailed link: /admin/reset-password#token=… (a fragment never reaches server logs). */
export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.length >= 10 ? token : null;
}
