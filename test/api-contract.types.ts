// Checked by the type check (`npx tsc -p .`), never run: the admin's API types are the server's
// response schemas as they arrive over JSON (src/wire.ts, the contract.ts files), so they
// refuse what the wire never carries. Each @ts-expect-error must be an error — if a type
// loosened (a copy drifting to `string`, a Date slipping through), tsc fails here.
import type { AuditEntry, BusinessEvent, IsoDate, Message, SessionState, User } from '../web/admin/src/api.js';
import type { Wire } from '../src/wire.js';
import type { Block, Broadcast } from '../web/admin/src/pages/broadcasts/api.js';
import type { Course, CourseStats, Lesson } from '../web/admin/src/pages/courses/api.js';

// @ts-expect-error a Date never arrives over JSON: it is an ISO string
export const date: Wire<{ at: Date }> = { at: new Date() };
// @ts-expect-error roles come from the permission matrix, not any string
export const role: User['role'] = 'superuser';
// @ts-expect-error the permission names come from the matrix too
export const permission: SessionState['permissions'][number] = 'everything.do';
// @ts-expect-error audit outcomes are allowed | denied
export const outcome: AuditEntry['outcome'] = 'maybe';
// @ts-expect-error a message's headers are strings
export const headers: Message['headers'] = { 'x-count': 1 };
// @ts-expect-error a broadcast's status is one of the engine's states
export const status: Broadcast['status'] = 'sent';
// @ts-expect-error a block is one of the editor's block types
export const block: Block = { type: 'video', src: 'x' };
// @ts-expect-error a course's status is one of the builder's
export const courseStatus: Course['status'] = 'live';
// @ts-expect-error a lesson opens by one of the drip kinds
export const dripKind: Lesson['drip']['kind'] = 'weekly';
// @ts-expect-error a lesson's review date arrives as an ISO string
export const reviewDue: Lesson['reviewDueAt'] = new Date();
// @ts-expect-error a quiz's average score is a number or null, never a string
export const averageScore: CourseStats['quizzes'][number]['averageScore'] = '80';

// …and accept exactly what the server sends.
export const sent: [User, BusinessEvent, IsoDate] = [
  { id: 'u', email: 'e@example.com', name: 'n', role: 'admin', twoFactorEnabled: true, createdAt: '2026-12-03T08:00:00.000Z' },
  { id: 1, occurredAt: '2026-12-03T08:00:00.000Z', type: 'x', actorKind: 'system', actorId: null, actorRole: null, subjectType: null, subjectId: null, data: {} },
  '2026-12-03T08:00:00.000Z',
];
