// `npm run lint:deps`: checks the module boundaries in .dependency-cruiser.cjs (docs/architecture.md).
//
// dependency-cruiser 17 reads TypeScript through the TypeScript compiler API, which TypeScript 7
// (our type checker, a native binary) no longer has. So this script gives it what it can read:
// a mirror of the sources as JavaScript (esbuild, already installed with tsx), in which every
// type-only import is kept as an import (`import type`, `{ type X }`, `import('x')` in a type),
// because a type-only import still ties two files together. Every import specifier already
// names the `.js` file (NodeNext), so the mirror resolves exactly like the sources.
//
//   node scripts/lint-deps.mjs [--root DIR] [--json] [dirs…]   (default dirs: src test bench web/public)
// Exit code 0: no violation; 1: violations (listed with their rule); 2: the check could not run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? path.resolve(args[rootAt + 1]) : repo;
const json = args.includes('--json');
const dirs = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--root');
const roots = (dirs.length ? dirs : ['src', 'test', 'bench', 'web/public']).filter((d) => existsSync(path.join(root, d)));

/** Keeps type-only imports as imports, so the cruiser sees them (esbuild would drop them). */
export function keepTypeImports(source) {
  const typeImportExpressions = [...source.matchAll(/(?<!await\s*)\bimport\(\s*(['"])([^'"]+)\1\s*\)/g)].map((m) => m[2]);
  const rewritten = source
    .replace(/\bimport\s+type\s+(?=[{*]|[\w$]+\s*(?:,|from\b))/g, 'import ')
    .replace(/\bexport\s+type\s+(?=[{*])/g, 'export ')
    .replace(/(\b(?:import|export)\s*\{[^}]*\})/g, (clause) => clause.replace(/([{,]\s*)type\s+(?=[\w$])/g, '$1'));
  return rewritten + typeImportExpressions.map((spec) => `\nimport ${JSON.stringify(spec)};`).join('');
}

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const mirror = mkdtempSync(path.join(tmpdir(), 'onehour-deps-'));
function fail(message) {
  console.error(message);
  rmSync(mirror, { recursive: true, force: true });
  process.exit(2);
}
try {
  /** mirror-relative .js path → the source's own path */
  const original = new Map();
  for (const file of roots.flatMap((d) => sources(path.join(root, d)))) {
    const rel = path.relative(root, file);
    const target = rel.replace(/\.(ts|tsx|mts)$/, '.js');
    const loader = file.endsWith('.tsx') ? 'tsx' : 'ts';
    let code;
    try {
      code = transformSync(keepTypeImports(readFileSync(file, 'utf8')), {
        loader,
        format: 'esm',
        jsx: 'automatic',
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      }).code;
    } catch (err) {
      fail(`lint:deps could not read ${rel}: ${err.message}`);
    }
    mkdirSync(path.join(mirror, path.dirname(target)), { recursive: true });
    writeFileSync(path.join(mirror, target), code);
    original.set(target.split(path.sep).join('/'), rel.split(path.sep).join('/'));
  }
  if (!original.size) {
    fail(`lint:deps found no sources under ${roots.join(', ') || '(nothing)'} in ${root}`);
  }
  const cruiser = path.join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [cruiser, '--config', path.join(repo, '.dependency-cruiser.cjs'), '--output-type', 'json', '--no-cache', ...roots], {
    cwd: mirror,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  let result;
  try {
    result = JSON.parse(r.stdout);
  } catch {
    fail(`lint:deps: dependency-cruiser failed\n${r.stderr}`);
  }
  const name = (p) => original.get(p) ?? p;
  const violations = result.summary.violations
    .filter((v) => v.rule.severity === 'error')
    .map((v) => ({ rule: v.rule.name, from: name(v.from), to: name(v.to), cycle: v.cycle?.map((c) => name(c.name ?? c)) }));
  if (json) console.log(JSON.stringify({ modules: result.summary.totalCruised, violations }, null, 2));
  else if (!violations.length) console.log(`lint:deps: no dependency violations (${result.summary.totalCruised} files).`);
  else {
    for (const v of violations) console.error(`  ${v.rule}: ${v.from} → ${v.to}${v.cycle ? `\n      cycle: ${[v.from, ...v.cycle].join(' → ')}` : ''}`);
    console.error(`\nlint:deps: ${violations.length} dependency violation(s); the rules are in .dependency-cruiser.cjs and docs/architecture.md.`);
  }
  process.exitCode = violations.length ? 1 : 0;
} finally {
  rmSync(mirror, { recursive: true, force: true });
}
