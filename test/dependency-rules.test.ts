// The module boundaries are enforced (npm run lint:deps): each rule of .dependency-cruiser.cjs
// fails on a violation made on purpose in a tiny module tree, which passes without it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Violation {
  rule: string;
  from: string;
  to: string;
}

const clean: Record<string, string> = {
  'src/db/client.ts': 'export const db = 1;\n',
  'src/http/route.ts': "import type { A } from '../modules/a/index.js';\nexport const route = (a: A) => a;\n",
  'src/modules/a/index.ts': "export { type A, makeA } from './service.js';\n",
  'src/modules/a/service.ts': "import { db } from '../../db/client.js';\nexport interface A { n: number }\nexport const makeA = (): A => ({ n: db });\n",
  'src/modules/b/index.ts': "export { useA } from './service.js';\n",
  'src/modules/b/service.ts': "import { makeA, type A } from '../a/index.js';\nexport const useA = (): A => makeA();\n",
  'src/modules/b/routes.ts': "import { route } from '../../http/route.js';\nimport { useA } from './service.js';\nexport const routes = [route(useA())];\n",
};

let root: string;
function lint(files: Record<string, string>): { status: number | null; violations: Violation[]; stderr: string } {
  fs.rmSync(root, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  const r = spawnSync(process.execPath, ['scripts/lint-deps.mjs', '--root', root, '--json', 'src'], { encoding: 'utf8' });
  const out = r.stdout ? (JSON.parse(r.stdout) as { violations: Violation[] }) : { violations: [] };
  return { status: r.status, violations: out.violations, stderr: r.stderr };
}
const rules = (v: Violation[]) => [...new Set(v.map((x) => x.rule))];

describe('module boundaries (npm run lint:deps)', () => {
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-deps-fixture-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('passes a tree that keeps every rule', () => {
    const r = lint(clean);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.violations, []);
  });

  it("fails an import of another module's file past its index.ts", () => {
    const r = lint({ ...clean, 'src/modules/b/service.ts': "import { makeA, type A } from '../a/service.js';\nexport const useA = (): A => makeA();\n" });
    assert.equal(r.status, 1);
    assert.deepEqual(r.violations, [{ rule: 'module-internals', from: 'src/modules/b/service.ts', to: 'src/modules/a/service.ts' }]);
  });

  it('fails a cycle made only of type imports', () => {
    const r = lint({
      ...clean,
      'src/modules/a/index.ts': "export { type A, makeA } from './service.js';\nexport type { Mark } from './mark.js';\n",
      'src/modules/a/mark.ts': "import type { useA } from '../b/index.js';\nexport type Mark = ReturnType<typeof useA>;\n",
    });
    assert.equal(r.status, 1);
    assert.deepEqual(rules(r.violations), ['no-circular']);
    assert.ok(r.violations.some((v) => v.from === 'src/modules/a/mark.ts' || v.to === 'src/modules/a/mark.ts'), JSON.stringify(r.violations));
  });

  it('fails the database layer importing a module', () => {
    const r = lint({ ...clean, 'src/db/client.ts': "import type { A } from '../modules/a/index.js';\nexport const db = 1;\nexport type Row = A;\n" });
    assert.equal(r.status, 1);
    assert.ok(rules(r.violations).includes('core-knows-no-module'), JSON.stringify(r.violations));
  });

  it('fails a service importing from src/http, and lets its routes do so', () => {
    const r = lint({ ...clean, 'src/modules/b/service.ts': "import { makeA, type A } from '../a/index.js';\nimport { route } from '../../http/route.js';\nexport const useA = (): A => route(makeA());\n" });
    assert.equal(r.status, 1);
    assert.deepEqual(rules(r.violations), ['services-know-no-http']);
    assert.equal(r.violations[0]!.from, 'src/modules/b/service.ts');
  });

  it("fails a module's routes taking the whole App, and lets its demo seed do so", () => {
    const app = "import { useA } from './modules/b/index.js';\nexport interface App { b: typeof useA }\n";
    const seeded = { ...clean, 'src/app.ts': app, 'src/modules/b/demo.ts': "import type { App } from '../../app.js';\nexport const seed = (app: App) => app.b();\n" };
    assert.deepEqual(lint(seeded).violations, []);
    const r = lint({ ...seeded, 'src/modules/b/routes.ts': "import type { App } from '../../app.js';\nimport { route } from '../../http/route.js';\nexport const routes = (app: App) => [route(app.b())];\n" });
    assert.equal(r.status, 1);
    assert.deepEqual(rules(r.violations), ['modules-get-narrow-deps']);
    assert.equal(r.violations[0]!.from, 'src/modules/b/routes.ts');
  });
});
