// Saving an upload to disk, one way for every module.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from './errors.js';

/**
 * Streams `source` into a new file and returns its size, refusing more than `maxBytes` with a
 * `too_large` error. On any failure the file is removed and nothing is left behind. The file is
 * opened before the first byte arrives: a write stream that opens its own file can create it
 * after a failed upload was already cleaned up.
 */
export async function saveStream(
  source: Readable,
  file: string,
  opts: { maxBytes?: number; tooLarge?: (maxBytes: number) => string; onChunk?: (chunk: Buffer) => void } = {},
): Promise<number> {
  // Synchronously, so no tick passes between here and the pipeline taking charge of the
  // source (an error emitted in such a gap would have no listener).
  const out = fs.createWriteStream(file, { fd: fs.openSync(file, 'wx') });
  let size = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (opts.maxBytes !== undefined && size > opts.maxBytes) {
            throw new DomainError('too_large', opts.tooLarge?.(opts.maxBytes) ?? `The file is larger than the ${Math.round(opts.maxBytes / 1_048_576)} MB limit`);
          }
          opts.onChunk?.(chunk);
          yield chunk;
        }
      },
      out,
    );
    return size;
  } catch (err) {
    out.destroy();
    await fs.promises.rm(file, { force: true });
    throw err;
  }
}
