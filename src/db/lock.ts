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
  let release: () => Promise<void>;
  try {
    // The lock is a directory refreshed every few seconds; a lock whose holder died goes
    // stale after 10 s and is taken over, so a crash never needs manual clean-up.
    release = await lockfile.lock(dataDir, { lockfilePath: path.join(dataDir, 'onehour.lock'), stale: 10_000, update: 2_000, retries: { retries: 3, minTimeout: 200, maxTimeout: 1000 }, onCompromised });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      let holder = null;
      try {
        holder = JSON.parse(fs.readFileSync(holderPath, 'utf8'));
      } catch {
        /* the holder is still writing it, or it is gone */
      }
      throw new DataFolderLockedError(dataDir, holder);
    }
    throw err;
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
