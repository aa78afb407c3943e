// Builds the admin single-page app. The server serves web/admin/dist: index.html for
// /admin and /admin/*, hashed files under /admin/assets/ (see src/http/server.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

/**
 * Writes dist/build-inputs.json: every file of this repository the build read (the bundler's
 * own module list, so shared files under src/ are in it), for scripts/ensure-admin-build.mjs to
 * tell a stale build from a current one. Packages are covered by package-lock.json there.
 */
function recordInputs(): Plugin {
  let ids: string[] = [];
  return {
    name: 'onehour-record-inputs',
    apply: 'build',
    generateBundle() {
      ids = [...this.getModuleIds()];
    },
    writeBundle(options) {
      const files = new Set<string>();
      for (const id of ids) {
        const file = id.split('?')[0]!;
        if (file.startsWith('\0') || !path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
        files.add(path.relative(repoRoot, file).split(path.sep).join('/'));
      }
      fs.writeFileSync(path.join(options.dir ?? path.join(here, 'dist'), 'build-inputs.json'), `${JSON.stringify({ files: [...files].sort() }, null, 1)}\n`);
    },
  };
}

export default defineConfig({
  root: here,
  base: '/admin/',
  plugins: [recordInputs()],
  // Vite 8 compiles TSX itself; the automatic runtime means no `import React` in every file.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(here, 'dist'),
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for server components; meaningless in a SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  // `npx vite --config web/admin/vite.config.ts` next to `npm run dev` (port 3000): the dev
  // server answers /admin with hot reload and hands /api to Onehour.
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
