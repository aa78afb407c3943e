// Starts Onehour: config → data folder lock (embedded mode) → database and migrations →
// HTTP server → background workers. Stops gracefully on SIGTERM/SIGINT.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from './config.js';
import { createApp, jobDeps, type App } from './app.js';
import { lockDataFolder, OWNER_ONLY_UMASK, restrictDataFolder, type DataFolderLock } from './db/lock.js';
import { buildServer } from './http/server.js';
import { SmtpReceiver } from './modules/support/index.js';

export class StartupError extends Error {}

export interface Running {
  app: App;
  server: FastifyInstance;
  url: string;
  /** the support SMTP receiver's port, when SUPPORT_SMTP_PORT is set */
  smtpPort: number | null;
  stop(reason?: string): Promise<void>;
}

async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `PORT: ${host}:${port} is already in use by another program. Stop it, or start Onehour on another port, e.g. PORT=3001 npm start.`
            : `HOST/PORT: cannot listen on ${host}:${port} (${err.code}). Check HOST and PORT.`,
        ),
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export async function startOnehour(config: Config = loadConfig()): Promise<Running> {
  // Before anything is written: every file this process creates is owner-only (uploads,
  // imports, PGlite's pages), whichever database is used.
  process.umask(OWNER_ONLY_UMASK);
  await assertPortFree(config.host, config.port);
  let lock: DataFolderLock | null = null;
  if (config.database.kind === 'pglite') {
    lock = await lockDataFolder(config.dataDir, (err) => {
      // Someone removed or took our lock: stop before two writers corrupt the data.
      console.error(`Lost the lock on ${config.dataDir}: ${err.message}. Stopping.`);
      process.exit(70);
    });
  }
  let app: App;
  try {
    app = await createApp({ config });
  } catch (err) {
    await lock?.release();
    if (config.database.kind === 'pg' && /ECONNREFUSED|ENOTFOUND|password authentication|does not exist/.test(String((err as Error).message))) {
      throw new StartupError(`DATABASE_URL: cannot connect to PostgreSQL (${(err as Error).message}). Check the URL and that the server runs.`);
    }
    throw err;
  }
  // Existing installs: whatever an older version (or PGlite itself) left readable by others.
  const refused = restrictDataFolder(config.dataDir);
  if (refused.length) app.log.warn({ files: refused.slice(0, 5), count: refused.length }, `DATA_DIR: some files could not be made owner-only (another user's?); fix with chmod -R go-rwx ${config.dataDir}`);
  const server = await buildServer(app);
  await app.jobs.recoverAbandoned();
  try {
    await server.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    await lock?.release();
    throw new StartupError(`PORT: cannot listen on ${config.host}:${config.port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  if (config.jobs.enabled) await app.jobs.work(jobDeps(app));
  // The support SMTP receiver (off unless SUPPORT_SMTP_PORT is set): it answers 250 only after a
  // message is committed, so it starts once the database and the workers are up.
  let receiver: SmtpReceiver | null = null;
  if (config.support.smtp) {
    receiver = new SmtpReceiver(app.support, { ...config.support.smtp, maxBytes: config.support.maxMessageBytes, trustedAuthServ: config.support.trustedAuthServ, log: app.log });
    try {
      await receiver.start();
    } catch (err) {
      await server.close();
      await app.close();
      await lock?.release();
      throw new StartupError(`SUPPORT_SMTP_PORT: cannot listen on ${config.support.smtp.host}:${config.support.smtp.port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
  }
  const address = server.server.address();
  const url = config.port === 0 && address && typeof address === 'object' ? `http://${config.host}:${address.port}` : config.publicUrl;

  let stopping: Promise<void> | null = null;
  const stop = (reason = 'stop') =>
    (stopping ??= (async () => {
      app.log.info({ reason }, 'shutting down: no new requests or jobs; finishing what is running');
      await receiver?.stop(); // no new mail; a message being stored finishes (or its sender retries)
      await server.close(); // stop accepting; in-flight requests finish
      await app.close(); // jobs: finish or hand back within SHUTDOWN_TIMEOUT_MS; then the database
      await lock?.release();
      app.log.info('stopped');
    })());
  return { app, server, url, smtpPort: receiver?.port ?? null, stop };
}
