// Sends a stored file over HTTP with byte ranges (RFC 9110): 206 with Content-Range for one
// satisfiable range, 416 for a range outside the file, the whole file otherwise. Video
// players seek with these; downloads resume with them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import type { FileStorage } from './storage.js';

export interface StoredFile {
  filename: string;
  contentType: string;
  size: number;
  storageKey: string;
}

export function sendStoredFile(req: FastifyRequest, reply: FastifyReply, storage: FileStorage, file: StoredFile, opts: { download: boolean }): FastifyReply {
  const size = file.size;
  reply.header('accept-ranges', 'bytes');
  reply.header('content-type', file.contentType || 'application/octet-stream');
  // Paid content: never kept by shared caches.
  reply.header('cache-control', 'private, max-age=0, must-revalidate');
  reply.header('content-disposition', `${opts.download ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  const header = req.headers.range;
  if (header) {
    const ranges = parseRange(size, header, { combine: true });
    if (ranges === -1) {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    // A malformed header is ignored (the whole file follows); several ranges are answered with the whole file too.
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', end - start + 1);
      return reply.send(storage.read(file.storageKey, { start, end }));
    }
  }
  reply.header('content-length', size);
  return reply.send(size === 0 ? '' : storage.read(file.storageKey));
}
