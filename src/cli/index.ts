// The `onehour` command: start, migrate, create-owner, reset-password, demo, reconcile, export.
// Every command reads the same configuration as the server (environment, see docs/configuration.md).
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createApp, type App } from '../app.js';
import { DataFolderError, DataFolderLockedError, lockDataFolder } from '../db/lock.js';
import { DomainError } from '../errors.js';
import { startOnehour, StartupError } from '../main.js';

function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof DataFolderLockedError || err instanceof DataFolderError || err instanceof StartupError) {
    console.error(`\n${err.message}\n`);
    process.exit(78);
  }
  if (err instanceof DomainError) {
    console.error(`\n${err.message}\n`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
}

/** Runs a one-off command against the database (taking the data-folder lock in embedded mode). */
async function withApp<T>(fn: (app: App, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const lock = config.database.kind === 'pglite' ? await lockDataFolder(config.dataDir, () => process.exit(70)) : null;
  const app = await createApp({ config: { ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel } });
  try {
    return await fn(app, config);
  } finally {
    await app.close();
    await lock?.release();
  }
}

async function readPassword(given: string | undefined, envName: string): Promise<string> {
  if (given) return given;
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const fromStdin = Buffer.concat(chunks).toString().split('\n')[0]?.trim();
    if (fromStdin) return fromStdin;
  }
  throw new DomainError('validation_failed', `Give the password with --password, or on standard input (${envName}).`);
}

const program = new Command()
  .name('onehour')
  .description('Run an online info-business that keeps earning while you are away.')
  .showHelpAfterError();

program
  .command('start')
  .description('Start the server and background workers (migrations run first)')
  .action(async () => {
    try {
      const running = await startOnehour();
      const { app, url } = running;
      const setup = (await app.team.hasOwner()) ? '' : `\n  First run: open ${url}/admin to create the owner account (or: onehour create-owner --demo).`;
      const smtp = running.smtpPort === null ? '' : `\n  Support mail (SMTP) on ${app.config.support.smtp!.host}:${running.smtpPort}`;
      console.log(`\nOnehour is running at ${url}\n  Admin: ${url}/admin  ·  Database: ${app.database.kind === 'pglite' ? `embedded (${app.config.dataDir})` : 'PostgreSQL'}${smtp}${setup}\n`);
      let signals = 0;
      const onSignal = (sig: string) => {
        signals++;
        if (signals > 1) process.exit(130); // a second Ctrl-C: leave now
        running.stop(sig).then(
          () => process.exit(0),
          (err) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
    } catch (err) {
      fail(err);
    }
  });

program
  .command('migrate')
  .description('Apply database migrations and exit')
  .action(() => withApp(async () => console.log('Migrations are up to date.')).catch(fail));

program
  .command('create-owner')
  .description('Create the owner account (first run, without the browser)')
  .requiredOption('--email <email>', "the owner's email")
  .option('--name <name>', "the owner's name", 'Owner')
  .option('--password <password>', 'at least 12 characters (or pass it on standard input)')
  .option('--demo', 'also load the demo business')
  .action((opts: { email: string; name: string; password?: string; demo?: boolean }) =>
    withApp(async (app) => {
      const password = await readPassword(opts.password, 'echo "$PASSWORD" | onehour create-owner --email …');
      const owner = await app.team.createOwner({ email: opts.email, name: opts.name, password });
      console.log(`Owner ${owner.email} created.`);
      if (opts.demo) {
        const { loadDemo } = await import('../demo/index.js');
        await loadDemo(app);
        console.log('Demo business loaded.');
      }
    }).catch(fail),
  );

program
  .command('reset-password')
  .description("Set a team member's password (ends their sessions, clears a lockout)")
  .requiredOption('--email <email>')
  .option('--password <password>', 'at least 12 characters (or pass it on standard input)')
  .option('--disable-two-factor', 'also turn two-factor sign-in off (a lost authenticator)')
  .action((opts: { email: string; password?: string; disableTwoFactor?: boolean }) =>
    withApp(async (app) => {
      const password = await readPassword(opts.password, 'echo "$PASSWORD" | onehour reset-password --email …');
      const user = await app.team.setPasswordByEmail(opts.email, password, { disableTwoFactor: opts.disableTwoFactor });
      console.log(`Password of ${user.email} changed; their sessions have ended.${opts.disableTwoFactor ? ' Two-factor sign-in is off.' : ''}`);
    }).catch(fail),
  );

program
  .command('demo')
  .description('Load the demo business (needs the owner; runs once)')
  .action(() =>
    withApp(async (app) => {
      const { loadDemo } = await import('../demo/index.js');
      console.log((await loadDemo(app)) ? 'Demo business loaded.' : 'The demo business was already loaded.');
    }).catch(fail),
  );

program
  .command('reconcile')
  .description('Ask Stripe what happened recently and apply what lost webhooks missed; check again refunds whose outcome is unknown')
  .action(() =>
    withApp(async (app) => {
      if (!app.stripeSync) {
        console.log('Stripe is not configured (STRIPE_SECRET_KEY): nothing to reconcile.');
        return;
      }
      const run = await app.stripeSync.reconcile();
      console.log(`Checked ${run.checked} Stripe sessions and events; repaired ${run.repairs.length}.`);
      for (const r of run.repairs) console.log(`  repaired  ${r.ref}: ${r.what}`);
      for (const s of run.skipped) console.log(`  skipped   ${s.ref} (${s.type}): ${s.reason}`);
      const refunds = await app.checkout.refunds.settleUnknownRefunds();
      if (refunds.checked) console.log(`Refunds with an unknown outcome: ${refunds.checked} checked, ${refunds.settled} settled.`);
      if (run.skipped.length) {
        console.log(`${run.skipped.length} could not be applied; the next run tries them again.`);
        process.exitCode = 2;
      }
    }).catch(fail),
  );

program
  .command('export')
  .description('Write a full export/backup of the business (gzipped JSON lines) to a file')
  .requiredOption('-o, --output <file>', 'where to write, e.g. backup.jsonl.gz')
  .action((opts: { output: string }) =>
    withApp(async (app) => {
      const { exportToStream } = await import('../db/export.js');
      await pipeline(exportToStream(app.database), fs.createWriteStream(opts.output, { mode: 0o600 }));
      console.log(`Export written to ${opts.output} (${fs.statSync(opts.output).size} bytes).`);
    }).catch(fail),
  );

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
