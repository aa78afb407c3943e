// Makes the PGlite data-folder templates a first start copies instead of building a database
// (src/db/client.ts, pgliteTemplateDir: initialised and empty; src/db/ready-template.ts: with
// every migration applied and the job queues made). Run by postinstall and `npm run db:template`.
// Never fails the install: without a template a first start runs initdb and the migrations
// itself, only slower.
import { register } from 'tsx/esm/api';

register();
try {
  const { createPgliteTemplate } = await import('../src/db/client.ts');
  let started = Date.now();
  const dir = await createPgliteTemplate();
  console.log(`PGlite data-folder template ready in ${Date.now() - started} ms: ${dir}`);
  const { createReadyTemplate } = await import('../src/db/ready-template.ts');
  const { JobQueue } = await import('../src/jobs/queue.ts');
  const { jobRegistry } = await import('../src/job-registry.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { default: pino } = await import('pino');
  started = Date.now();
  const ready = await createReadyTemplate(async (database) => {
    // The queues with this install's settings (a later start brings any change in line).
    const jobs = new JobQueue(database, loadConfig({}).jobs, pino({ level: 'warn' }), jobRegistry);
    await jobs.start();
    await jobs.stop(1000);
  });
  console.log(`PGlite migrated template ready in ${Date.now() - started} ms: ${ready}`);
} catch (err) {
  console.warn(`! PGlite data-folder template not made (a first start will build its database instead): ${err instanceof Error ? err.message : err}`);
}
