// Domain errors. Services throw these; only src/http maps them to status codes.
export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  /** a write without its session's CSRF token (re-read the token and retry) */
  | 'csrf_failed'
  | 'rate_limited'
  | 'locked'
  | 'two_factor_required'
  | 'invalid_token'
  | 'precondition_failed'
  | 'payment_failed'
  | 'too_large'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} was not found`);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);
export const invalid = (message: string, details?: unknown) => new DomainError('validation_failed', message, details);
export const forbidden = (message = 'You do not have permission to do that') => new DomainError('forbidden', message);
