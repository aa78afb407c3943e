// Builds the admin app when its build is missing or older than anything it was built from, so
// that `npm start` on a fresh clone (or after a pull) needs nothing else.
//
// What it was built from is the bundler's own list: the build writes every repository file it
// read to web/admin/dist/build-inputs.json (web/admin/vite.config.ts, recordInputs), shared
// files under src/ included. A file that changed or disappeared since makes the build stale; a
// new file only matters once something imports it, and that importer changed. Packages are
// covered by package-lock.json, the build's settings by vite.config.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const always = ['web/admin/vite.config.ts', 'package-lock.json'];

/** Why the admin build under `root` must be redone, or null when it is current. */
export function staleReason(root = repoRoot) {
  const out = path.join(root, 'web/admin/dist/index.html');
  const inputsFile = path.join(root, 'web/admin/dist/build-inputs.json');
  if (!existsSync(out)) return 'not built yet';
  if (!existsSync(inputsFile)) return 'the build has no list of its inputs';
  let files;
  try {
    files = JSON.parse(readFileSync(inputsFile, 'utf8')).files;
  } catch {
    return 'its list of inputs is unreadable';
  }
  if (!Array.isArray(files) || files.length === 0) return 'its list of inputs is empty';
  const builtAt = statSync(out).mtimeMs;
  for (const file of [...always, ...files]) {
    const p = path.join(root, file);
    if (!existsSync(p)) return `${file} is gone`;
    if (statSync(p).mtimeMs > builtAt) return `${file} changed`;
  }
  return null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (reason) {
    console.log(`Building the admin app (${reason})…`);
    const r = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', cwd: repoRoot });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
