// One HTTP POST of a signed webhook: a hard timeout, no redirects followed (a redirect is an
// answer, and following it could lead to a private address), the address checked when the
// connection is made, and at most a few KB of the answer read.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { assertPublicHost, guardedLookup } from './address-guard.js';

export interface PostResult {
  /** null when no answer came (refused, timed out, blocked) */
  status: number | null;
  body: string;
  durationMs: number;
  error: string | null;
}

const MAX_BODY = 2000;

export async function postWebhook(url: string, headers: Record<string, string>, body: string, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Omit<PostResult, 'durationMs'>): PostResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  const target = new URL(url);
  try {
    // The lookup hook is not called for an address literal: check it here.
    if (!opts.allowPrivate && net.isIP(target.hostname.replace(/^\[|\]$/g, ''))) await assertPublicHost(target.hostname);
  } catch (err) {
    return done({ status: null, body: '', error: (err as Error).message });
  }
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Onehour-Webhooks/1', 'content-length': Buffer.byteLength(body), ...headers },
        timeout: opts.timeoutMs,
        ...(opts.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_BODY) text += chunk;
          else res.destroy();
        });
        const finish = () => resolve(done({ status: res.statusCode ?? null, body: text.slice(0, MAX_BODY), error: null }));
        res.on('end', finish);
        res.on('close', finish);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) => resolve(done({ status: null, body: '', error: err.message })));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
