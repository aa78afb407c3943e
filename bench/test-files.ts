// What compiling the test files first (scripts/build-tests.mjs) saves per test file: each file of
// a sample runs alone under `node --test`, once from its TypeScript sources through tsx (how
// `npm test` ran them before) and once compiled, interleaved so both meet the same load. Prints
// wall time and CPU time (user + system of the file's process and its children: steadier than
// wall time on a busy machine) per file and in total, and the compile time of the whole sample.
//   node --import tsx bench/test-files.ts [rounds=1] [files…]   (PGlite only)
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { buildTests } from '../scripts/build-tests.mjs';

const rounds = Number(process.argv[2] ?? 1);
const sample = process.argv.slice(3).length
  ? process.argv.slice(3)
  : [
      'src/modules/analytics/cohorts.test.ts',
      'src/http/activity-names.test.ts',
      'src/modules/support/settings.test.ts',
      'src/modules/catalog/catalog.test.ts',
      'src/modules/audience/segments.test.ts',
      'src/modules/tasks/subjects.test.ts',
      'src/modules/content/seo.test.ts',
      'src/modules/brand/brand.test.ts',
    ];

interface Run {
  wall: number;
  cpu: number;
  ok: boolean;
}
function timed(args: string[]): Run {
  // GNU time reports the CPU of the whole process tree it waited for.
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, ...args], { encoding: 'utf8', env: { ...process.env, TEST_DATABASE_URL: '' } });
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall: last[0]! * 1000, cpu: (last[1]! + last[2]!) * 1000, ok: r.status === 0 };
}

const built = await buildTests(sample);
console.log(`${sample.length} files compiled in ${Math.round(built.ms)} ms; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const totals = { tsx: { wall: 0, cpu: 0 }, compiled: { wall: 0, cpu: 0 } };
console.log(`${'file'.padEnd(44)} ${'tsx wall'.padStart(9)} ${'cpu'.padStart(7)}   ${'compiled wall'.padStart(13)} ${'cpu'.padStart(7)}`);
try {
  for (let round = 0; round < rounds; round++) {
    sample.forEach((file, i) => {
      const a = timed(['--import', 'tsx', '--test', '--test-reporter=dot', file]);
      const b = timed(['--enable-source-maps', '--test', '--test-reporter=dot', built.files[i]!]);
      if (!a.ok || !b.ok) throw new Error(`${file} failed (${a.ok ? 'compiled' : 'tsx'})`);
      totals.tsx.wall += a.wall;
      totals.tsx.cpu += a.cpu;
      totals.compiled.wall += b.wall;
      totals.compiled.cpu += b.cpu;
      const s = (ms: number, w: number) => `${(ms / 1000).toFixed(2)} s`.padStart(w);
      console.log(`${file.padEnd(44)} ${s(a.wall, 9)} ${s(a.cpu, 7)}   ${s(b.wall, 13)} ${s(b.cpu, 7)}`);
    });
  }
} finally {
  built.remove();
}
const n = sample.length * rounds;
console.log(
  `per file, mean of ${n}: tsx ${(totals.tsx.wall / n / 1000).toFixed(2)} s wall, ${(totals.tsx.cpu / n / 1000).toFixed(2)} s CPU; ` +
    `compiled ${(totals.compiled.wall / n / 1000).toFixed(2)} s wall, ${(totals.compiled.cpu / n / 1000).toFixed(2)} s CPU; ` +
    `saved ${((totals.tsx.cpu - totals.compiled.cpu) / n / 1000).toFixed(2)} s CPU per file; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
