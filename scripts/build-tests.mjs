// The test files compiled before a run, so each test file's process loads plain JavaScript
// instead of compiling the ~500 TypeScript sources it imports through tsx's loader thread
// (measured in CI: ≈ 4 s per file of 131, most of a file's fixed cost; the same cost the server
// bundle removed from `onehour start`, bin/server-bundle.js).
//
// One esbuild build for all the files of a run (packages left as imports, shared code split into
// chunks, source maps so a failure's stack names the .ts line), into a folder of its own under
// node_modules/.cache/onehour/test-build, so runs in several checkouts sharing one node_modules
// never meet. `import.meta.url` in a source (TypeScript or a script it imports) is replaced by that
// source's own URL, so a test that finds its fixtures beside itself finds them where they are, and
// a script's "am I the main module" check stays false. Each output keeps its source's path
// (src/x/y.test.ts → <dir>/src/x/y.test.mjs). Folders of runs that ended without cleaning up
// (process gone, or a day old) are removed by the next build.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const TEST_BUILD_ROOT = path.join('node_modules', '.cache', 'onehour', 'test-build');

const importMeta = {
  name: 'import-meta-of-the-source',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      let contents = await fs.promises.readFile(args.path, 'utf8');
      if (contents.includes('import.meta.')) {
        contents = contents
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
      }
      const ext = path.extname(args.path);
      return { contents, loader: ext.endsWith('x') ? (ext.includes('t') ? 'tsx' : 'jsx') : ext.includes('t') ? 'ts' : 'js' };
    });
  },
};

/** The output file of a test source, inside `dir`. */
export function builtPath(dir, file) {
  return path.join(dir, path.relative(process.cwd(), file).replace(/\.[cm]?tsx?$/, '.mjs'));
}

/** The test source an output of `dir` was built from (durations and reports name sources). */
export function sourceOf(dir, built) {
  const rel = path.relative(path.resolve(dir), path.resolve(built));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return built;
  return rel.replace(/\.mjs$/, '.ts');
}

function removeStale() {
  let names = [];
  try {
    names = fs.readdirSync(TEST_BUILD_ROOT);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(TEST_BUILD_ROOT, name);
    const pid = Number(name.split('-')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    let old = true;
    try {
      old = Date.now() - fs.statSync(dir).mtimeMs > 24 * 3600_000;
    } catch {
      /* gone already */
    }
    if (!alive || old) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds `files` (paths of *.test.ts relative to the project root).
 * @returns {Promise<{ dir: string, files: string[], ms: number, remove: () => void }>}
 */
export async function buildTests(files) {
  const started = performance.now();
  removeStale();
  const dir = path.join(TEST_BUILD_ROOT, `${process.pid}-${Date.now()}`);
  const esbuild = await import('esbuild');
  await esbuild.build({
    absWorkingDir: process.cwd(),
    entryPoints: files,
    outdir: dir,
    outbase: '.',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Error classes and functions keep their names (a bundle renames clashing identifiers).
    keepNames: true,
    sourcemap: 'linked',
    plugins: [importMeta],
    logLevel: 'error',
  });
  return {
    dir,
    files: files.map((f) => builtPath(dir, f)),
    ms: performance.now() - started,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
