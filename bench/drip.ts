// Drip benchmark: the job that announces newly opened lessons (`lesson.unlocked`), for a
// course with 8 scheduled lessons and N enrolled students, on PGlite and PostgreSQL.
// Figures: the first run (announces N × 8 lessons), and a steady-state run that finds nothing
// new (what every 5-minute tick costs). Baseline in the same run: writing the same number of
// events straight through the event log, batched the same way.
//   npm run bench:drip            (= node --import tsx bench/drip.ts [students=2000] [postgres-url])
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase, openMemoryDatabase, type Database } from '../src/db/client.js';
import { accessGrants } from '../src/modules/access/schema.js';
import { contacts } from '../src/modules/audience/schema.js';

const STUDENTS = Number(process.argv[2] ?? 2000);
const PG_URL = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;

async function run(label: string, database: Database) {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  const app = await createApp({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/onehour-bench-drip' }),
    clock,
    database,
    log: pino({ level: 'silent' }),
  });
  const actor = { kind: 'system' as const };
  const course = await app.learning.createCourse({ title: 'Bench Course', status: 'published' }, actor);
  const mod = await app.learning.addModule(course.id, 'All', actor);
  await app.learning.addLesson(mod.id, { title: 'Welcome' }, actor);
  for (let d = 1; d <= 8; d++) await app.learning.addLesson(mod.id, { title: `Day ${d}`, drip: { kind: 'after_days', days: d } }, actor);

  const now = clock.now();
  for (let i = 0; i < STUDENTS; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, STUDENTS - i) }, (_, j) => {
      const email = `s${i + j}@bench.test`;
      return { id: randomUUID(), email, emailNormalized: email, name: '', status: 'active' as const, source: 'bench', fields: {}, createdAt: now, updatedAt: now };
    });
    await app.db.insert(contacts).values(batch);
    await app.db.insert(accessGrants).values(batch.map((c) => ({ contactId: c.id, resourceType: 'course', resourceId: course.id, source: 'manual', grantedAt: now })));
  }
  clock.advance(10 * DAY);
  const expected = STUDENTS * 8;

  let t0 = performance.now();
  for (let i = 0; i < expected; i += 500) {
    await app.database.transaction(async (tx) => {
      for (let j = i; j < Math.min(expected, i + 500); j++) {
        await app.events.recordInTx(tx, { type: 'lesson.unlocked', actor, subject: { type: 'lesson', id: course.id }, data: { contactId: course.id, courseId: course.id, unlockedAt: now.toISOString() } });
      }
    });
  }
  const baseline = performance.now() - t0;

  t0 = performance.now();
  const announced = await app.learning.student.announceUnlockedLessons();
  const first = performance.now() - t0;
  if (announced !== expected) throw new Error(`announced ${announced}, expected ${expected}`);

  t0 = performance.now();
  const again = await app.learning.student.announceUnlockedLessons();
  const steady = performance.now() - t0;
  if (again !== 0) throw new Error('the second run announced something again');

  console.log(
    `${label.padEnd(10)} students ${STUDENTS}, lessons announced ${announced}: ` +
      `baseline (same events through the event log) ${baseline.toFixed(0)} ms · first run ${first.toFixed(0)} ms · steady-state tick ${steady.toFixed(0)} ms`,
  );
  await app.jobs.stop(1000);
  app.mail.close();
  await database.close();
}

await run('PGlite', await openMemoryDatabase());

const name = `onehour_bench_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: PG_URL });
try {
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  await run('PostgreSQL', await openDatabase({ kind: 'pg', url: url.toString() }, { poolSize: 5 }));
  await admin.query(`drop database if exists ${name} with (force)`);
} catch (err) {
  console.log(`PostgreSQL part skipped: ${(err as Error).message}`);
} finally {
  await admin.end().catch(() => {});
}
