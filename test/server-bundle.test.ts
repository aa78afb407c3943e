// bin/server-bundle.js: the compiled server is rebuilt exactly when a file it was built from
// changed, and what it runs is the current source.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverBundle } from '../bin/server-bundle.js';

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-bundle-'));
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'bundle-test', type: 'module' }));
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext' } }));
  fs.writeFileSync(path.join(root, 'src/main.ts'), "import { word } from './word.js';\nconst n: number = 2;\nconsole.log(word(n));\n");
  fs.writeFileSync(path.join(root, 'src/word.ts'), "export const word = (n: number): string => 'first ' + n;\n");
  return root;
}
const run = (file: string) => spawnSync(process.execPath, [file], { encoding: 'utf8' }).stdout.trim();

describe('the server bundle', () => {
  it('builds once, is reused while no input changed, and is rebuilt when an imported file changes', async () => {
    const root = project();
    try {
      const opts = { root, entry: 'src/main.ts', outDir: path.join(root, 'out') };
      const first = await serverBundle(opts);
      assert.equal(first.built, true);
      assert.equal(run(first.file), 'first 2');
      assert.ok(fs.existsSync(first.file + '.map'), 'a source map for stack traces');

      const again = await serverBundle(opts);
      assert.equal(again.built, false, 'nothing changed: no build');

      // An edit to a file the entry imports (same size on purpose: the time tells).
      const word = path.join(root, 'src/word.ts');
      fs.writeFileSync(word, "export const word = (n: number): string => 'again ' + n;\n");
      const later = new Date(Date.now() + 5_000);
      fs.utimesSync(word, later, later);
      const edited = await serverBundle(opts);
      assert.equal(edited.built, true);
      assert.equal(run(edited.file), 'again 2');

      // A deleted input makes it stale too (and the build then reports the missing import).
      fs.rmSync(word);
      await assert.rejects(serverBundle(opts), /word/);
      assert.equal(fs.readdirSync(opts.outDir).filter((f) => f.endsWith('.tmp')).length, 0, 'no half-written files left');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('is what `onehour` runs: the CLI answers from it without tsx', () => {
    const r = spawnSync(process.execPath, ['bin/onehour.js', '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: onehour/);
    assert.doesNotMatch(r.stderr, /through tsx/, 'the bundle was built and used');
  });
});
