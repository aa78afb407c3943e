// Makes the empty PGlite data-folder template a first start copies instead of running initdb
// (src/db/client.ts, pgliteTemplateDir). Run by postinstall and `npm run db:template`; named by
// the PGlite version, so upgrading PGlite makes a new one. Never fails the install: without the
// template a first start runs initdb as before, only slower.
import { register } from 'tsx/esm/api';

register();
try {
  const { createPgliteTemplate } = await import('../src/db/client.ts');
  const started = Date.now();
  const dir = await createPgliteTemplate();
  console.log(`PGlite data-folder template ready in ${Date.now() - started} ms: ${dir}`);
} catch (err) {
  console.warn(`! PGlite data-folder template not made (a first start will run initdb instead): ${err instanceof Error ? err.message : err}`);
}
