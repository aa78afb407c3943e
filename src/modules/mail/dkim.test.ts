import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { DkimSigner } from './dkim.js';
import { buildMime } from './mime.js';

function resolverFor(record: string) {
  return async (name: string, type: string) => {
    if (type === 'TXT' && name === 'sel._domainkey.shop.example') return [[record]];
    throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  };
}

const message = buildMime({
  from: 'Zoë from the Shop <news@shop.example>',
  to: 'Bob Example <bob@example.net>',
  subject: 'Héllo   there — “quotes” and a very long subject line that goes on and on past seventy-eight characters',
  messageId: '<r1.abcdef12@shop.example>',
  date: new Date('2026-11-21T10:00:00Z'),
  text: 'Line with trailing spaces   \n\tTabbed  line\n\n\nÜmlauts and = signs\n\n\n',
  html: '<p style="a=b">Hello    world</p>\n<p>é</p>',
  headers: [
    ['List-Unsubscribe', '<https://shop.example/email/unsubscribe?token=abcdefghijklmnopqrstuvwxyz0123456789>, <mailto:unsubscribe@shop.example?subject=unsubscribe%20abc>'],
    ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
  ],
});

describe('DKIM signatures verify with an independent verifier (mailauth)', () => {
  it('rsa-sha256, List-Unsubscribe and List-Unsubscribe-Post among the signed headers', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
    const signed = await new DkimSigner({ domain: 'shop.example', selector: 'sel', privateKey }).sign(message, new Date());
    const res = await dkimVerify(Buffer.from(signed), { resolver: resolverFor(`v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`) } as never);
    const r = res.results[0] as { status: { result: string }; signingHeaders: { keys: string } };
    assert.equal(r.status.result, 'pass');
    assert.match(r.signingHeaders.keys, /List-Unsubscribe: List-Unsubscribe-Post/);
    // Any change to a signed header breaks it.
    const tampered = signed.replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Two-Clicks');
    const bad = await dkimVerify(Buffer.from(tampered), { resolver: resolverFor(`v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`) } as never);
    assert.equal((bad.results[0] as { status: { result: string } }).status.result, 'fail');
  });

  it('ed25519-sha256 (RFC 8463) when the key is Ed25519', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
    const signed = await new DkimSigner({ domain: 'shop.example', selector: 'sel', privateKey }).sign(message, new Date());
    assert.match(signed, /a=ed25519-sha256/);
    const raw = publicKey.subarray(publicKey.length - 32).toString('base64');
    const res = await dkimVerify(Buffer.from(signed), { resolver: resolverFor(`v=DKIM1; k=ed25519; p=${raw}`) } as never);
    assert.equal((res.results[0] as { status: { result: string } }).status.result, 'pass');
  });
});
