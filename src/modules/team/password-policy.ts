// What a staff password must be: long enough, and not one of the passwords attackers try
// first. The list is the ~49 000 most common passwords from public breach corpora, as shipped
// by @zxcvbn-ts/language-common (MIT, github.com/zxcvbn-ts/zxcvbn); it is bundled, so the check
// works offline and sends nothing anywhere.
import { dictionary } from '@zxcvbn-ts/language-common';
import { invalid } from '../../errors.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 512;

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  return (common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())));
}

/**
 * The forms of a password an attacker's list would also try: as typed, without spaces, and
 * with a common word followed by digits or symbols ("sunshine2026!") reduced to the word.
 */
function guessableForms(password: string): string[] {
  const lower = password.toLowerCase();
  const squashed = lower.replace(/\s+/g, '');
  const base = squashed.replace(/[\d\W_]+$/u, '');
  const forms = [lower, squashed];
  if (base.length >= 4) forms.push(base);
  return forms;
}

export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  if (guessableForms(password).some((f) => list.has(f))) return true;
  // A short chunk repeated ("abcabcabcabc"), or a common password repeated ("iloveyou iloveyou").
  const repeated = /^(.+?)\1+$/su.exec(password.toLowerCase().replace(/\s+/g, ''));
  return Boolean(repeated && (repeated[1]!.length <= 4 || list.has(repeated[1]!)));
}

/** Throws a validation error naming the problem; the field is `password` unless told. */
export function checkPassword(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long`, { field });
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw invalid(`The password is too long (${MAX_PASSWORD_LENGTH} characters at most)`, { field });
  if (isCommonPassword(password)) {
    throw invalid('This password is one of the most common passwords, which attackers try first. Choose another (a few unrelated words make a strong one).', { field });
  }
}
