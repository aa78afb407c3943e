// The server compiled into one ES module, so a start does not pay for compiling ~500 TypeScript
// files through tsx's loader thread on every run (measured: 4.5–5 s of a 10 s restart on PGlite
// went to loading the sources that way; the bundle loads in ~0.3 s). Built with esbuild (already
// installed as tsx's compiler) into node_modules/.cache/onehour/server, with every package left
// as an import, and rebuilt when any file it was built from changed (size or modification
// time), so editing a source and starting again always runs the edit.
//
// Several processes may start at once (tests, a supervisor): each build is written under a
// private name and renamed into place, the manifest last, so no process loads half a file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '..');

/**
 * @param {{ root?: string, entry?: string, outDir?: string }} [opts]
 * @returns {Promise<{ file: string, built: boolean, ms: number }>} the bundle to import; built: whether this call compiled it
 */
export async function serverBundle(opts = {}) {
  const root = opts.root ?? projectRoot;
  const entry = opts.entry ?? 'src/cli/index.ts';
  const outDir = opts.outDir ?? path.join(root, 'node_modules/.cache/onehour/server');
  const name = path.basename(entry).replace(/\.[cm]?[jt]sx?$/, '');
  const file = path.join(outDir, `${name}.mjs`);
  const manifestFile = path.join(outDir, `${name}.inputs.json`);
  const started = performance.now();
  if (isFresh(root, file, manifestFile)) return { file, built: false, ms: performance.now() - started };

  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: file,
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  fs.mkdirSync(outDir, { recursive: true });
  const inputs = {};
  for (const input of [...Object.keys(result.metafile.inputs), 'tsconfig.json', 'package.json']) {
    const st = fs.statSync(path.join(root, input));
    inputs[input] = [st.size, st.mtimeMs];
  }
  const tag = `.${process.pid}.${Date.now()}.tmp`;
  // The map first, then the code, then the manifest that says both are current.
  const outputs = [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1));
  for (const out of outputs) {
    fs.writeFileSync(out.path + tag, out.contents);
    fs.renameSync(out.path + tag, out.path);
  }
  fs.writeFileSync(manifestFile + tag, JSON.stringify({ esbuild: esbuild.version, node: process.versions.node, inputs }));
  fs.renameSync(manifestFile + tag, manifestFile);
  return { file, built: true, ms: performance.now() - started };
}

function isFresh(root, file, manifestFile) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    if (!fs.existsSync(file) || manifest.node !== process.versions.node) return false;
  } catch {
    return false;
  }
  for (const [input, [size, mtimeMs]] of Object.entries(manifest.inputs)) {
    let st;
    try {
      st = fs.statSync(path.join(root, input));
    } catch {
      return false;
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}
