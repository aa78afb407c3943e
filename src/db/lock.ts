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

export async function lockDataFolder(dataDir: string, onCompromised: (err: Error) => void): Promise<DataFolderLock> {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
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
  fs.writeFileSync(holderPath, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));
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
