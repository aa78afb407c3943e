// `npm run check:install`, run by CI (.ci/run): proves that a production install of this
// checkout works the way the README says — a copy of the repository's files (tracked and new,
// as `git ls-files` lists them: no node_modules, no build, no data) in a temporary folder,
// `npm ci --omit=dev` from the local npm cache (--offline: nothing is downloaded), then
// `npm start`, which must build the admin with production packages only and serve it. Checks
// GET /readyz and GET /admin (and the script it loads), then stops the server and removes the
// folder. Bounded: the whole check fails after CHECK_INSTALL_TIMEOUT_S (default 300) seconds.
// When the cache lacks a package it says which and skips (exit 0) — except in CI, where the
// full `npm ci` before it has filled the cache, so a miss is a failure.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const limitMs = (Number(process.env.CHECK_INSTALL_TIMEOUT_S) || 300) * 1000;
const deadline = Date.now() + limitMs;
const started = Date.now();
const dir = mkdtempSync(path.join(tmpdir(), 'onehour-install-'));
let server = null;

function step(msg) {
  console.log(`[check:install ${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}`);
}
function cleanUp() {
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL'); // npm, the server and its helpers: their own process group
    } catch {
      /* already gone */
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
function fail(msg) {
  console.error(`✖ production install check failed: ${msg}`);
  cleanUp();
  process.exit(1);
}
const left = () => Math.max(1000, deadline - Date.now());

// 1. A fresh copy of the repository's files.
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
if (listed.status !== 0) fail(`git ls-files: ${listed.stderr}`);
let copied = 0;
for (const file of listed.stdout.split('\0').filter(Boolean)) {
  if (!existsSync(path.join(root, file))) continue; // deleted in the working tree, not yet committed
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  copyFileSync(path.join(root, file), path.join(dir, file));
  copied++;
}
step(`copied ${copied} files to ${dir}`);

// 2. The production install, from the cache only.
const env = { ...process.env, npm_config_update_notifier: 'false' };
for (const k of ['DATABASE_URL', 'TEST_DATABASE_URL', 'NODE_ENV', 'PORT', 'HOST', 'PUBLIC_URL', 'DATA_DIR']) delete env[k];
const ci = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8', timeout: left() });
if (ci.status !== 0) {
  const missing = /ENOTCACHED[\s\S]*?request to (\S+) failed/.exec(`${ci.stdout}${ci.stderr}`);
  if (missing && !process.env.CI) {
    console.warn(`! production install check SKIPPED: the local npm cache lacks ${missing[1]} (run \`npm ci\` once with network access, then again).`);
    cleanUp();
    process.exit(0);
  }
  fail(`npm ci --omit=dev --offline exited ${ci.status ?? ci.signal}:\n${ci.stdout}\n${ci.stderr}`);
}
for (const dev of ['typescript', 'playwright-core', 'drizzle-kit']) {
  if (existsSync(path.join(dir, 'node_modules', dev))) fail(`${dev}, a devDependency, was installed: the install was not a production one`);
}
step('npm ci --omit=dev --offline done');

// 3. npm start on a free port with its own data folder; wait for /readyz, then fetch /admin.
const port = await new Promise((resolve, reject) => {
  const probe = net.createServer().once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port: p } = probe.address();
    probe.close(() => resolve(p));
  });
});
const base = `http://127.0.0.1:${port}`;
let output = '';
server = spawn('npm', ['start'], { cwd: dir, env: { ...env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: path.join(dir, 'data') }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
server.stdout.on('data', (d) => (output += d));
server.stderr.on('data', (d) => (output += d));
const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve(`npm start exited (${code ?? signal})`)));

async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  } catch {
    return null;
  }
}
async function waitReady() {
  for (;;) {
    const r = await get(`${base}/readyz`);
    if (r?.status === 200) return r;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 250)); // polling the condition, not a fixed wait
  }
}
const ready = await Promise.race([waitReady(), exited]);
if (typeof ready === 'string' || !ready) fail(`${ready ?? `/readyz did not answer 200 within ${limitMs / 1000} s`}\n--- npm start output ---\n${output}`);
const health = JSON.parse(ready.body);
if (health.status !== 'ok') fail(`/readyz answered ${ready.body}`);
step(`npm start: /readyz ${ready.body}`);

const admin = await get(`${base}/admin`);
if (admin?.status !== 200 || !admin.type.startsWith('text/html')) fail(`/admin answered ${admin?.status} ${admin?.type}\n${admin?.body}`);
const script = /<script[^>]+src="(\/admin\/assets\/[^"]+\.js)"/.exec(admin.body)?.[1];
if (!script) fail(`/admin is not the built admin app:\n${admin.body}`);
const js = await get(`${base}${script}`);
if (js?.status !== 200 || js.body.length < 1000) fail(`${script} answered ${js?.status}`);
step(`/admin serves the built app (${script}, ${js.body.length} bytes)`);

cleanUp();
console.log(`✔ production install: npm ci --omit=dev, npm start, /readyz and /admin answer (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(0);
