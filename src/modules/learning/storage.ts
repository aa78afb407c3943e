// Where uploaded lesson files (videos, attachments) keep their bytes. The local folder
// under DATA_DIR/files is the default; the interface is small so shared storage (S3 and
// the like, needed when several app processes serve uploads) can stand in.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomToken } from '../../crypto.js';
import { saveStream } from '../../files.js';

export interface FileStorage {
  /** Stores the stream under a new key; returns the key and the number of bytes written. */
  put(stream: Readable, hint: string): Promise<{ key: string; size: number }>;
  /** Bytes [start, end] inclusive (the whole file without a range). */
  read(key: string, range?: { start: number; end: number }): Readable;
  size(key: string): Promise<number | null>;
  remove(key: string): Promise<void>;
}

export class LocalFileStorage implements FileStorage {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    // Keys are generated here, but a key read back from the database is still checked: a
    // tampered row must not reach outside the storage folder.
    if (!/^[\w-]+\/[\w.-]+$/.test(key)) throw new Error(`Invalid storage key: ${key}`);
    return path.join(this.root, key);
  }

  async put(stream: Readable, hint: string): Promise<{ key: string; size: number }> {
    const ext = /\.([a-z0-9]{1,8})$/i.exec(hint)?.[1]?.toLowerCase();
    const name = `${randomToken(18)}${ext ? `.${ext}` : ''}`;
    const key = `${name.slice(0, 2).replace(/[^\w]/g, '_')}/${name}`;
    const file = this.pathOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const size = await saveStream(stream, file);
    return { key, size };
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await fs.stat(this.pathOf(key))).size;
    } catch {
      return null;
    }
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}
