// A production install has only `dependencies` (`npm ci --omit=dev`): a package the server imports
// at run time that sits in devDependencies starts fine in development and fails in production
// (the support module's mailparser and smtp-server did). CI's `npm run check:install` catches it
// after the whole suite; this catches it in seconds. Files that only tests import (test-*.ts
// helpers beside the code) may use dev packages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(ts|tsx|js|mjs)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The package a bare import specifier names ('@scope/name/x' → '@scope/name'), or null for a relative or built-in one. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return null;
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** Value imports (not `import type`) and dynamic imports with a literal specifier. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\sfrom\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)) found.push((m[1] ?? m[2] ?? m[3])!);
  return found;
}

describe('runtime dependencies', () => {
  it('reads the imports it must (the check below is not vacuous)', () => {
    assert.deepEqual(importsOf("import { a } from 'pkg-a';\nimport type { B } from 'pkg-b';\nexport { c } from '@s/c/sub';\nimport 'side';\nawait import('dyn');"), ['pkg-a', '@s/c/sub', 'side', 'dyn']);
    assert.equal(packageOf('@s/c/sub'), '@s/c');
    assert.equal(packageOf('fs/promises'), null);
    assert.equal(packageOf('./x.js'), null);
  });

  it('every package the server, the CLI and the public pages import at run time is a dependency', () => {
    const files = [...sources('src'), ...sources('bin'), ...sources('web/public')];
    const testOnly = new Set(files.filter((f) => /^test-[^/]*\.tsx?$/.test(path.basename(f))));
    // A test-*.ts helper that code outside the tests imports is part of the app after all.
    for (const f of files) {
      if (testOnly.has(f)) continue;
      for (const spec of importsOf(fs.readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = path.join(path.dirname(f), spec).replace(/\.js$/, '.ts');
        testOnly.delete(target);
        testOnly.delete(target.replace(/\.ts$/, '.tsx'));
      }
    }
    const missing: string[] = [];
    for (const f of files) {
      if (testOnly.has(f)) continue;
      for (const spec of importsOf(fs.readFileSync(f, 'utf8'))) {
        const name = packageOf(spec);
        if (name && !(name in pkg.dependencies)) missing.push(`${f}: ${name}${name in pkg.devDependencies ? ' (a devDependency)' : ''}`);
      }
    }
    assert.ok(files.length > 200, `read ${files.length} files`);
    assert.deepEqual(missing, []);
  });
});
