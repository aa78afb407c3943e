// Builds the admin single-page app. The server serves web/admin/dist: index.html for
// /admin and /admin/*, hashed files under /admin/assets/ (see src/http/server.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/admin/',
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
