// Random tokens come from a pooled buffer (src/crypto.ts): each byte is handed out once,
// across refills, whatever sizes are asked for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomToken } from './crypto.js';

describe('randomToken', () => {
  it('gives tokens of the asked size, never the same one twice, across many pool refills', () => {
    const seen = new Set<string>();
    // 20 000 tokens of 16–48 bytes: about 160 refills of the 4 kB pool, with tokens that straddle a refill.
    for (let i = 0; i < 20_000; i++) {
      const bytes = 16 + (i % 33);
      const t = randomToken(bytes);
      assert.equal(Buffer.from(t, 'base64url').length, bytes);
      assert.ok(!seen.has(t), 'a token repeated');
      seen.add(t);
    }
  });

  it('looks random: every byte value turns up, none far more than its share', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4_000; i++) for (const b of Buffer.from(randomToken(32), 'base64url')) counts[b]!++;
    // 128 000 bytes: 500 per value expected; a zeroed or repeated slice would show far above that.
    assert.ok(Math.min(...counts) > 350 && Math.max(...counts) < 650, `byte counts from ${Math.min(...counts)} to ${Math.max(...counts)}`);
  });

  it('serves a large request straight from the system (not from the pool)', () => {
    assert.equal(Buffer.from(randomToken(1024), 'base64url').length, 1024);
    assert.notEqual(randomToken(1024), randomToken(1024));
  });
});
