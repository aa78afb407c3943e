// Searching by part of an email address in the admin's lists (recipients, bounces).

/** `%part%` for LIKE, lower-cased, with the person's own % and _ taken literally. */
export function likeNeedle(part: string): string {
  return `%${part.trim().toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}
