// PGlite is one connection in one process: two processes on one data folder would each
// believe they own it and silently lose committed rows. The first process takes an
// exclusive lock; a second one is refused with a message naming the folder and the holder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export class DataFolderLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: { pid?: number; host?: string; startedAt?: string } | null,
  ) {
    const who = holder?.pid ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.startedAt ? `, started ${holder.startedAt}` : ''}` : 'another process';
    super(
      `The data folder ${dataDir} is in use by another Onehour (${who}).\n` +
        `Only one process can use the embedded database. Stop the other one first, or set DATA_DIR to another folder,\n` +
        `or set DATABASE_URL to a PostgreSQL server to run several processes.`,
    );
    this.name = 'DataFolderLockedError';
  }
}

export class DataFolderError extends Error {}

export interface DataFolderLock {
  release(): Promise<void>;
}

const HOLDER_FILE = 'onehour.pid';

type Holder = { pid?: number; host?: string; startedAt?: string };

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null; // the holder is still writing it, or it is gone
  }
}

function holderIsDead(holder: Holder): boolean {
  if (!holder.pid || holder.host !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** No group or other permission bits on anything Onehour creates from here on. */
export const OWNER_ONLY_UMASK = 0o077;

/**
 * The data folder holds the secret key, password hashes and customers' files: it and
 * everything in it is the owner's alone (0700 folders, 0600 files). Sets the process umask, so
 * whatever a library creates later (PGlite's pages, uploads, lock files) is owner-only too, and
 * tightens what an older version or another tool left readable. Symbolic links are not
 * followed. Returns the paths it could not change (another user's files).
 */
export function restrictDataFolder(dataDir: string): string[] {
  process.umask(OWNER_ONLY_UMASK);
  if (!fs.existsSync(dataDir)) return [];
  const refused: string[] = [];
  const tighten = (p: string, stat: fs.Stats) => {
    if ((stat.mode & 0o077) === 0) return;
    try {
      fs.chmodSync(p, stat.mode & 0o7700);
    } catch {
      refused.push(p);
    }
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      tighten(dir, fs.lstatSync(dir));
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed while we looked
    }
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (!entry.isSymbolicLink()) {
        try {
          tighten(p, fs.lstatSync(p));
        } catch {
          // removed while we looked (a lock being refreshed)
        }
      }
    }
  };
  walk(dataDir);
  return refused;
}

export async function lockDataFolder(dataDir: string, onCompromised: (err: Error) => void): Promise<DataFolderLock> {
  try {
    process.umask(OWNER_ONLY_UMASK);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (err) {
    throw new DataFolderError(
      `DATA_DIR: the data folder ${dataDir} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). ` +
        'Choose a folder this user can write, e.g. DATA_DIR=./data.',
    );
  }
  const holderPath = path.join(dataDir, HOLDER_FILE);
  const lockPath = path.join(dataDir, 'onehour.lock');
  const take = () =>
    // The lock is a directory refreshed every few seconds; a lock whose holder died goes
    // stale after 10 s and is taken over, so a crash never needs manual clean-up.
    lockfile.lock(dataDir, { lockfilePath: lockPath, stale: 10_000, update: 2_000, retries: { retries: 3, minTimeout: 200, maxTimeout: 1000 }, onCompromised });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const holder = readHolder(holderPath);
    if (!holder || !holderIsDead(holder)) throw new DataFolderLockedError(dataDir, holder);
    // The holder was killed on this machine (its pid is gone): no need to wait for staleness.
    fs.rmSync(lockPath, { recursive: true, force: true });
    try {
      release = await take();
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataFolderLockedError(dataDir, readHolder(holderPath));
      throw again;
    }
  }
  fs.writeFileSync(holderPath, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }), { mode: 0o600 });
  const refused = restrictDataFolder(dataDir);
  if (refused.length) console.warn(`DATA_DIR: could not make ${refused.length} file(s) owner-only, e.g. ${refused[0]} (owned by another user?). Fix with: chmod -R go-rwx ${dataDir}`);
  return {
    async release() {
      try {
        fs.rmSync(holderPath, { force: true });
      } finally {
        await release().catch(() => {});
      }
    },
  };
}
