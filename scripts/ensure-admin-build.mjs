// Builds the admin app when its build is missing or older than its sources, so that
// `npm start` on a fresh clone needs nothing else.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const out = 'web/admin/dist/index.html';
function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}
// The app's sources, its build settings, and the permission matrix it imports.
const inputs = ['web/admin/index.html', 'web/admin/vite.config.ts', 'src/permissions.ts', 'package-lock.json'];
const stale = !existsSync(out) || Math.max(newest('web/admin/src'), ...inputs.map((f) => statSync(f).mtimeMs)) > statSync(out).mtimeMs;
if (stale) {
  console.log('Building the admin app…');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
