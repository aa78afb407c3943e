// Images for page blocks (hero, media, testimonial), uploaded from the page editor and served
// at /media/images/<name>. What makes an image acceptable is its bytes, not the name or the
// type the browser claims: PNG, JPEG, WebP and GIF are recognised by their signature; SVG is
// refused (it can carry script). A file over the limit is cut off by saveStream with nothing
// left on disk; a file of the wrong type is removed before anything points at it.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Actor } from '../../actor.js';
import { randomToken } from '../../crypto.js';
import type { Database } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { invalid } from '../../errors.js';
import { saveStream } from '../../files.js';

export const imageTypes = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const;
export type ImageExt = keyof typeof imageTypes;
/** The default limit: a page image above 5 MB would make the page slow on a phone. */
export const defaultImageMaxBytes = 5 * 1_048_576;
const namePattern = /^[A-Za-z0-9_-]{24}\.(png|jpg|webp|gif)$/;

/** The image type the first bytes announce, or null. */
export function sniffImage(head: Buffer): ImageExt | null {
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'gif';
  return null;
}

export interface StoredImage {
  url: string;
  name: string;
  contentType: string;
  size: number;
}

export class SiteImageStore {
  constructor(
    private readonly database: Database,
    private readonly events: EventLog,
    private readonly dir: string,
    private readonly maxBytes: number = defaultImageMaxBytes,
  ) {}

  async save(upload: { stream: Readable; filename: string }, actor: Actor): Promise<StoredImage> {
    await fs.mkdir(this.dir, { recursive: true });
    const token = randomToken(18);
    const partial = path.join(this.dir, `${token}.part`);
    let head = Buffer.alloc(0);
    const size = await saveStream(upload.stream, partial, {
      maxBytes: this.maxBytes,
      tooLarge: (max) => `The image is larger than the ${Math.round(max / 1_048_576)} MB limit for page images. Save it smaller (a page image needs no more than about 2000 pixels across).`,
      onChunk: (chunk) => {
        if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
      },
    });
    const ext = sniffImage(head);
    if (!ext) {
      await fs.rm(partial, { force: true });
      throw invalid('That file is not a PNG, JPEG, WebP or GIF image', { field: 'file' });
    }
    const name = `${token}.${ext}`;
    await fs.rename(partial, path.join(this.dir, name));
    const image = { url: `/media/images/${name}`, name, contentType: imageTypes[ext], size };
    await this.database.transaction((tx) => this.events.recordInTx(tx, { type: 'site.image_uploaded', actor, subject: { type: 'image', id: name }, data: { filename: upload.filename.slice(0, 200), size, contentType: image.contentType } }));
    return image;
  }

  /** The file behind a served name, or null for any name this store did not make. */
  async open(name: string): Promise<{ file: string; contentType: string; size: number } | null> {
    const m = namePattern.exec(name);
    if (!m) return null;
    const file = path.join(this.dir, name);
    try {
      const st = await fs.stat(file);
      return { file, contentType: imageTypes[m[1] as ImageExt], size: st.size };
    } catch {
      return null;
    }
  }
}
