// `npm test`: type-checks, checks the module boundaries (npm run lint:deps), then runs every *.test.ts (unit and integration beside the code,
// browser journeys in test/e2e) with Node's test runner. PostgreSQL runs too when
// TEST_DATABASE_URL is set; browser journeys need Debian's chromium.
// Soak and crash tests (marked soakOrCrashTest: processes killed, long runs) are left out.
// `npm run test:quick` (--quick): PGlite only, no browser journeys, no soak/crash tests.
// `npm run test:soak` (--soak): only the files that hold soak/crash tests, with those tests on
// (CI runs it after `npm test`); add TEST_DATABASE_URL for the PostgreSQL ones.
// The slowest files (timed by the previous run) start first; the slowest are listed at the end.
// Files that read the demo business get it from a snapshot built once per backend before they run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildTests } from './build-tests.mjs';
import { DURATIONS_FILE } from './durations-reporter.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const soak = args.includes('--soak');
const onlyFiles = args.filter((a) => !a.startsWith('-'));
const env = { ...process.env };
if (quick) {
  delete env.TEST_DATABASE_URL;
  env.ONEHOUR_TEST_QUICK = '1';
}
if (soak) env.ONEHOUR_TEST_SOAK = '1';
function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
let files = onlyFiles.length ? onlyFiles : [...find('src'), ...find('test')];
if (soak && !onlyFiles.length) files = files.filter((f) => readFileSync(f, 'utf8').includes('soakOrCrashTest'));
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (quick) files = files.filter((f) => !f.includes(`test${path.sep}e2e`));
else if (!existsSync(chromium)) {
  if (process.env.CI) {
    console.error(`Browser journeys need Chromium at ${chromium} (apt-get install chromium); CI must run them.`);
    process.exit(1);
  }
  console.warn(`\n! Chromium not found at ${chromium}: browser journeys in test/e2e are left out of this run (apt-get install chromium).\n`);
  files = files.filter((f) => !f.includes(`test${path.sep}e2e`));
}
if (!onlyFiles.length) {
  const tsc = spawnSync('npx', ['tsc', '-p', '.'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // The module boundaries (.dependency-cruiser.cjs): a violation fails the run, as a type error does.
  const deps = spawnSync(process.execPath, ['scripts/lint-deps.mjs'], { stdio: 'inherit' });
  if (deps.status !== 0) process.exit(deps.status ?? 1);
  // Browser journeys drive the built admin: build it when missing or older than its sources
  // (once, here, rather than in journeys that run side by side).
  if (files.some((f) => f.includes(`test${path.sep}e2e`))) {
    const b = spawnSync(process.execPath, ['scripts/ensure-admin-build.mjs'], { stdio: 'inherit' });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
}
// Files that start the `onehour` command run the compiled server bundle (bin/server-bundle.js):
// build it once here, rather than in each of the processes those files start side by side.
if (files.some((f) => readFileSync(f, 'utf8').includes('bin/onehour.js'))) {
  const b = spawnSync(process.execPath, ['-e', "import('./bin/server-bundle.js').then((m) => m.serverBundle()).then((r) => { if (r.built) console.log(`Server bundle built in ${Math.round(r.ms)} ms`); })"], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
// Files that read the demo business (createDemoTestApp, openDemoTestDatabase) share one demo snapshot per backend
// (test/support/demo-snapshot.ts): build both side by side now, so no file's time limit pays for it.
if (files.some((f) => /createDemoTestApp\(|openDemoTestDatabase\(/.test(readFileSync(f, 'utf8')))) {
  const wanted = env.TEST_DATABASE_URL ? ['pglite', 'pg'] : ['pglite'];
  const codes = await Promise.all(
    wanted.map(
      (backend) =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/prepare-demo.ts', backend], { stdio: 'inherit', env });
          child.on('exit', (code) => resolve(code ?? 1));
          child.on('error', () => resolve(1));
        }),
    ),
  );
  if (codes.some((c) => c !== 0)) {
    console.error('Could not build the demo snapshot (see above).');
    process.exit(1);
  }
}
// Longest first: a long file started last would run alone at the end.
let previous = {};
try {
  previous = JSON.parse(readFileSync(DURATIONS_FILE, 'utf8'));
} catch {
  /* no earlier run */
}
// With no earlier run (a fresh clone, as in CI): browser journeys first, then the largest files.
const known = Object.keys(previous).length > 0;
const weight = (f) => previous[path.normalize(f)] ?? (known ? 0 : (f.includes(`test${path.sep}e2e`) ? 1e9 : 0) + statSync(f).size);
files.sort((a, b) => weight(b) - weight(a));
const concurrency = Number(process.env.TEST_CONCURRENCY) || 2;
console.log(
  `Running ${files.length} test files${env.TEST_DATABASE_URL ? ' on PGlite and PostgreSQL' : quick ? ' on PGlite' : ' on PGlite (set TEST_DATABASE_URL to add PostgreSQL)'}${quick ? ' (quick: no browser journeys, no soak/crash tests)' : soak ? ' (soak: with their soak/crash tests)' : ' (soak/crash tests: npm run test:soak)'}, ${concurrency} at a time`,
);
// A file of soak/crash tests runs for minutes by design (and longer on a loaded machine): 15 min
// per file there, 5 min elsewhere.
const timeout = soak ? 900_000 : 300_000;
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/durations-reporter.mjs', '--test-reporter-destination=stdout'];
// The test files run compiled (scripts/build-tests.mjs): a file's process then loads JavaScript
// rather than compiling every source it imports through tsx. ONEHOUR_TEST_FROM_SOURCE=1 runs
// them through tsx instead (failures then name .ts paths in the runner's own lines too).
let run = { files, loader: ['--import', 'tsx'], remove: () => {} };
if (process.env.ONEHOUR_TEST_FROM_SOURCE !== '1') {
  try {
    const built = await buildTests(files);
    console.log(`Test files compiled in ${Math.round(built.ms)} ms (${built.dir}; ONEHOUR_TEST_FROM_SOURCE=1 runs the sources through tsx)`);
    run = { files: built.files, loader: ['--enable-source-maps'], remove: built.remove };
    env.ONEHOUR_TEST_BUILD_DIR = built.dir;
  } catch (e) {
    console.error(`Could not compile the test files: ${e.message}`);
    process.exit(1);
  }
}
const r = spawnSync(process.execPath, [...run.loader, '--test', '--test-force-exit', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...reporters, ...run.files], { stdio: 'inherit', env });
run.remove();
process.exit(r.status ?? 1);
