// Browser journeys: a real Onehour server on a free 127.0.0.1 port (PUBLIC_URL pointing at
// it, so mailed links work) and Debian's Chromium driven by playwright-core.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { testSettings } from '../../src/config.js';
import { systemClock } from '../../src/clock.js';
import { createTestAppOn, openTestDatabase, type Backend, type TestApp, type TestDatabase } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds the admin app when it is missing or older than its sources (npm test does this first; this covers running one file). */
export function ensureAdminBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/ensure-admin-build.mjs'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('Building the admin app failed (npm run build)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface BrowserTestApp extends TestApp {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
}

/**
 * A listening server with the built admin app, on PGlite unless a backend is named, on a fresh
 * migrated database unless one is given (openDemoTestDatabase: a copy of the demo business).
 * The config needs the port up front (PUBLIC_URL goes into links).
 */
export async function startBrowserTestApp(opts: { config?: Record<string, string>; backend?: Backend; database?: TestDatabase } = {}): Promise<BrowserTestApp> {
  ensureAdminBuilt();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const backend = opts.backend ?? 'pglite';
  // A real browser lives in real time (cookies, TOTP codes): the server runs on the system clock.
  const t = await createTestAppOn(backend, opts.database ?? (await openTestDatabase(backend)), { clock: systemClock, config: { ...opts.config, PUBLIC_URL: baseUrl, PORT: String(port), HOST: '127.0.0.1' } });
  await t.server.listen({ port, host: '127.0.0.1' });
  return { ...t, baseUrl };
}

/**
 * How long a journey's page waits for an element, a click or a navigation before it fails. A
 * passing step never waits this long; it is generous because the suite runs two files at a
 * time on two cores beside PostgreSQL, and under that load a first admin page load was seen to
 * take more than 15 s (2026-12-06). A wrong page still fails, only later.
 */
export const BROWSER_WAIT_MS = 30_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: testSettings().chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
