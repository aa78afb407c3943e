// Recurrence over calendar dates in the brand's zone: weekdays across DST changes, month ends,
// every N days, and the instant a due date happens.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checklistOf, dueDatesBetween, firstDueOnOrAfter, localDate, nextDueAfter, zonedInstant } from './schedule.js';

describe('recurrence', () => {
  it('weekly on a weekday keeps the weekday across both DST changes (Europe/Berlin)', () => {
    const mondays = dueDatesBetween({ kind: 'weekly', weekday: 1, interval: 1 }, '2026-03-18', '2026-03-18', '2026-11-10');
    assert.equal(mondays[0], '2026-03-23');
    assert.ok(mondays.includes('2026-03-30'), 'the Monday after the spring change (29 March)');
    assert.ok(mondays.includes('2026-10-26'), 'the Monday after the autumn change (25 October)');
    for (const d of mondays) assert.equal(new Date(`${d}T12:00:00Z`).getUTCDay(), 1, d);
    // Due at 09:00 local: 08:00 UTC in winter, 07:00 UTC in summer.
    assert.equal(zonedInstant('2026-03-23', '09:00', 'Europe/Berlin').toISOString(), '2026-03-23T08:00:00.000Z');
    assert.equal(zonedInstant('2026-03-30', '09:00', 'Europe/Berlin').toISOString(), '2026-03-30T07:00:00.000Z');
    assert.equal(zonedInstant('2026-10-26', '09:00', 'Europe/Berlin').toISOString(), '2026-10-26T08:00:00.000Z');
  });

  it('every two weeks counts from the first matching weekday', () => {
    assert.deepEqual(dueDatesBetween({ kind: 'weekly', weekday: 5, interval: 2 }, '2026-01-01', '2026-01-01', '2026-02-15'), ['2026-01-02', '2026-01-16', '2026-01-30', '2026-02-13']);
    // Asking from the middle of the series lands on it, not on any Friday.
    assert.equal(firstDueOnOrAfter({ kind: 'weekly', weekday: 5, interval: 2 }, '2026-01-01', '2026-01-20'), '2026-01-30');
  });

  it('monthly on the 31st falls on each month end, February included (leap and not)', () => {
    assert.deepEqual(dueDatesBetween({ kind: 'monthly', day: 31, interval: 1 }, '2027-12-15', '2027-12-15', '2028-05-01'), ['2027-12-31', '2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30']);
    assert.deepEqual(dueDatesBetween({ kind: 'monthly', day: 30, interval: 1 }, '2026-01-30', '2026-01-30', '2026-03-31'), ['2026-01-30', '2026-02-28', '2026-03-30']);
    // A clamped month does not shift the later ones.
    assert.equal(nextDueAfter({ kind: 'monthly', day: 31, interval: 1 }, '2026-01-01', '2026-02-28'), '2026-03-31');
  });

  it('monthly before the start day begins next month; every three months skips two', () => {
    assert.equal(firstDueOnOrAfter({ kind: 'monthly', day: 5, interval: 1 }, '2026-01-20', '2026-01-20'), '2026-02-05');
    assert.deepEqual(dueDatesBetween({ kind: 'monthly', day: 1, interval: 3 }, '2026-01-01', '2026-01-01', '2026-12-31'), ['2026-01-01', '2026-04-01', '2026-07-01', '2026-10-01']);
    assert.equal(firstDueOnOrAfter({ kind: 'monthly', day: 1, interval: 3 }, '2026-01-01', '2026-05-02'), '2026-07-01');
  });

  it('every N days steps from the start, across the year end; once is once', () => {
    assert.deepEqual(dueDatesBetween({ kind: 'days', every: 10 }, '2026-12-20', '2026-12-20', '2027-01-20'), ['2026-12-20', '2026-12-30', '2027-01-09', '2027-01-19']);
    assert.equal(firstDueOnOrAfter({ kind: 'days', every: 10 }, '2026-12-20', '2027-01-10'), '2027-01-19');
    assert.deepEqual(dueDatesBetween({ kind: 'once' }, '2026-06-01', '2026-01-01', '2026-12-31'), ['2026-06-01']);
    assert.equal(nextDueAfter({ kind: 'once' }, '2026-06-01', '2026-06-01'), null);
  });

  it('a local day starts at local midnight; a time in the spring gap moves past it; an autumn double hour is its first', () => {
    assert.equal(localDate(new Date('2026-03-28T23:30:00Z'), 'Europe/Berlin'), '2026-03-29');
    assert.equal(localDate(new Date('2026-03-28T23:30:00Z'), 'America/New_York'), '2026-03-28');
    assert.equal(zonedInstant('2026-03-29', '02:30', 'Europe/Berlin').toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(zonedInstant('2026-10-25', '02:30', 'Europe/Berlin').toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(zonedInstant('2026-03-08', '17:00', 'America/New_York').toISOString(), '2026-03-08T21:00:00.000Z');
    assert.equal(zonedInstant('2026-07-01', '17:00', 'UTC').toISOString(), '2026-07-01T17:00:00.000Z');
  });

  it('an SOP checklist is its task-list lines', () => {
    assert.deepEqual(checklistOf('# Refunds\n\nIntro\n- [ ] Open Orders\n* [x] Filter refunds\n- plain item\n  + [ ]   Note anything odd  \n'), ['Open Orders', 'Filter refunds', 'Note anything odd']);
  });
});
