// Generates a migration for every module whose schema changed: `npm run db:generate`.
// Optionally name one module: `npm run db:generate -- team`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const source = readFileSync(new URL('../src/db/migrations.ts', import.meta.url), 'utf8');
const sets = [...source.matchAll(/\{ name: '([^']+)', schema: '([^']+)', folder: '([^']+)' \}/g)].map((m) => ({
  name: m[1], schema: m[2], folder: m[3],
}));
const only = process.argv[2];
for (const set of sets.filter((s) => !only || s.name === only)) {
  const r = spawnSync('npx', ['drizzle-kit', 'generate', '--dialect', 'postgresql', '--schema', set.schema, '--out', set.folder, '--name', set.name], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
