// Drip schedules: when a lesson opens for one student. Pure functions of the schedule, the
// student's enrollment and their progress, evaluated against the clock on every request, so
// a lesson opens on time even before the drip job has announced it.
import type { DripKind } from './schema.js';

const DAY_MS = 86_400_000;

export interface DripRule {
  dripKind: DripKind;
  dripDays: number | null;
  dripDate: Date | null;
}

export type LessonAvailability =
  | { open: true; since: Date }
  /** opensAt null: waiting for the previous lesson to be completed */
  | { open: false; opensAt: Date | null; waitingForLessonId: string | null };

/**
 * Whether a lesson is open at `now` for a student enrolled at `enrolledAt`.
 * `previous` is the lesson before it in course order (null for the first lesson) and when
 * this student completed it.
 */
export function lessonAvailability(
  rule: DripRule,
  enrolledAt: Date,
  previous: { lessonId: string; completedAt: Date | null } | null,
  now: Date,
): LessonAvailability {
  let opensAt: Date | null;
  switch (rule.dripKind) {
    case 'immediate':
      opensAt = enrolledAt;
      break;
    case 'after_days':
      opensAt = new Date(enrolledAt.getTime() + (rule.dripDays ?? 0) * DAY_MS);
      break;
    case 'on_date':
      // Someone who enrols after the date gets the lesson at once.
      opensAt = rule.dripDate && rule.dripDate > enrolledAt ? rule.dripDate : enrolledAt;
      break;
    case 'after_previous':
      if (!previous) opensAt = enrolledAt;
      else if (previous.completedAt) opensAt = previous.completedAt;
      else return { open: false, opensAt: null, waitingForLessonId: previous.lessonId };
      break;
  }
  return opensAt <= now ? { open: true, since: opensAt } : { open: false, opensAt, waitingForLessonId: null };
}

/** A short human description of a schedule, for the course builder. */
export function describeDrip(rule: DripRule): string {
  switch (rule.dripKind) {
    case 'immediate':
      return 'Opens on enrollment';
    case 'after_days':
      return `Opens ${rule.dripDays} day${rule.dripDays === 1 ? '' : 's'} after enrollment`;
    case 'on_date':
      return `Opens on ${rule.dripDate?.toISOString().slice(0, 10)}`;
    case 'after_previous':
      return 'Opens when the previous lesson is completed';
  }
}
