// The tracked version of a workflow email: each distinct link one signed redirect, shared by the
// text and the HTML part; kept links (the unsubscribe link) untouched; at most 100 tracked links.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linkToken, trackedEmail } from './email-tracking.js';

const key = Buffer.alloc(32, 7);
const opts = { baseUrl: 'https://shop.example/', runId: '0b6f3c1e-8f0a-4d7e-9a51-2c3d4e5f6a7b', seq: 3, key, keep: (u: string) => u.includes('/email/unsubscribe') };

describe('automation: tracked email links', () => {
  it('a link repeated in the body is one redirect, in the text and in the HTML', () => {
    const text = 'Read https://shop.example/guide now.\n\nAgain: https://shop.example/guide and https://shop.example/course\n\nLeave: https://shop.example/email/unsubscribe?t=x';
    const t = trackedEmail(text, opts);
    assert.deepEqual(t.links, ['https://shop.example/guide', 'https://shop.example/course']);
    const guide = `https://shop.example/a/c/${linkToken(key, opts.runId, opts.seq, 0)}`;
    const course = `https://shop.example/a/c/${linkToken(key, opts.runId, opts.seq, 1)}`;
    assert.equal(t.text.split(guide).length - 1, 2);
    assert.equal(t.text.split(course).length - 1, 1);
    assert.ok(t.text.includes('https://shop.example/email/unsubscribe?t=x'), 'the unsubscribe link is kept as it is');
    assert.equal(t.html.split(`href="${guide}"`).length - 1, 2);
    assert.ok(t.html.includes(`href="https://shop.example/email/unsubscribe?t=x"`));
    assert.ok(t.html.includes(`/a/o/${linkToken(key, opts.runId, opts.seq, null)}.gif`), 'the open pixel');
    assert.ok(!t.text.includes('https://shop.example/guide '), 'no untracked copy of a tracked link is left');
  });

  it('past 100 distinct links the rest stay as they are, and a tracked link repeated later keeps its redirect', () => {
    const urls = Array.from({ length: 105 }, (_, i) => `https://shop.example/p/${i}`);
    const t = trackedEmail(`${urls.join('\n')}\n${urls[0]}`, opts);
    assert.equal(t.links.length, 100);
    const lines = t.text.split('\n');
    assert.equal(lines[100], urls[100]);
    assert.equal(lines[104], urls[104]);
    assert.equal(lines[105], `https://shop.example/a/c/${linkToken(key, opts.runId, opts.seq, 0)}`);
  });
});
