// The admin's rebuild check (scripts/ensure-admin-build.mjs) against the bundler's own list of
// inputs: a change to any file the build read, inside web/admin or not, makes it stale.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { staleReason } from '../scripts/ensure-admin-build.mjs';
import { ensureAdminBuilt } from './support/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the build lists the shared files it imports from outside web/admin', () => {
  ensureAdminBuilt();
  const { files } = JSON.parse(readFileSync(path.join(root, 'web/admin/dist/build-inputs.json'), 'utf8')) as { files: string[] };
  for (const f of ['web/admin/index.html', 'web/admin/src/main.tsx', 'web/admin/src/styles.css', 'src/permissions.ts', 'src/modules/catalog/money.ts']) {
    assert.ok(files.includes(f), `${f} is among the build's inputs`);
  }
  assert.ok(!files.some((f) => f.includes('node_modules') || f.startsWith('/') || f.startsWith('..')), 'only repository files, relative to its root');
  assert.equal(staleReason(), null, 'a fresh build is current');
  // The API contract reaches the admin as types only (erased), so no zod and no server code does:
  // a shared file the admin imports at run time must import nothing but other such files.
  for (const f of files.filter((f) => f.startsWith('src/'))) {
    assert.doesNotMatch(readFileSync(path.join(root, f), 'utf8'), /from ['"](?!\.)/, `${f}, bundled into the admin, imports no package`);
  }
  for (const asset of readdirSync(path.join(root, 'web/admin/dist/assets')).filter((a) => a.endsWith('.js'))) {
    assert.ok(!readFileSync(path.join(root, 'web/admin/dist/assets', asset), 'utf8').includes('superRefine'), `${asset} holds no zod`);
  }
});

let dir = '';
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
function put(file: string, content: string, seconds: number) {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
  utimesSync(path.join(dir, file), at(seconds), at(seconds));
}
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'onehour-admin-build-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a change to any listed input, a missing input or a missing list makes the build stale', () => {
  assert.equal(staleReason(dir), 'not built yet');
  for (const f of ['web/admin/vite.config.ts', 'package-lock.json', 'web/admin/src/main.tsx', 'src/shared/contract.ts']) put(f, 'x', 1);
  put('web/admin/dist/index.html', '<!doctype html>', 10);
  assert.equal(staleReason(dir), 'the build has no list of its inputs');
  put('web/admin/dist/build-inputs.json', JSON.stringify({ files: ['web/admin/src/main.tsx', 'src/shared/contract.ts'] }), 10);
  assert.equal(staleReason(dir), null);

  put('src/shared/contract.ts', 'y', 20);
  assert.equal(staleReason(dir), 'src/shared/contract.ts changed');
  put('src/shared/contract.ts', 'y', 1);
  put('package-lock.json', '{}', 20);
  assert.equal(staleReason(dir), 'package-lock.json changed');
  put('package-lock.json', '{}', 1);
  rmSync(path.join(dir, 'web/admin/src/main.tsx'));
  assert.equal(staleReason(dir), 'web/admin/src/main.tsx is gone');
  put('web/admin/src/main.tsx', 'x', 1);
  put('web/admin/dist/build-inputs.json', '{', 10);
  assert.equal(staleReason(dir), 'its list of inputs is unreadable');
});
