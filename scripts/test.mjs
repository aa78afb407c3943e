// `npm test`: type-checks, then runs every *.test.ts (unit and integration beside the code,
// browser journeys in test/e2e) with Node's test runner. PostgreSQL runs too when
// TEST_DATABASE_URL is set; browser journeys need Debian's chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const onlyFiles = args.filter((a) => !a.startsWith('-'));
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
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
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
  // Browser journeys drive the built admin: build it when missing or older than its sources
  // (once, here, rather than in journeys that run side by side).
  if (files.some((f) => f.includes(`test${path.sep}e2e`))) {
    const b = spawnSync(process.execPath, ['scripts/ensure-admin-build.mjs'], { stdio: 'inherit' });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
}
console.log(`Running ${files.length} test files${process.env.TEST_DATABASE_URL ? ' on PGlite and PostgreSQL' : ' on PGlite (set TEST_DATABASE_URL to add PostgreSQL)'}`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
