// How many messages one `mail.send-batch` job carries: the configured batch, cut to a minute of
// sending at the global rate so a live job never outlasts its expiry and is sent twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SEND_BATCH_EXPIRE_SECONDS, sendBatchSize } from './service.js';

describe('mail: send batch size', () => {
  it('is the configured size when there is no rate limit or the rate allows it', () => {
    assert.equal(sendBatchSize(100, 0), 100);
    assert.equal(sendBatchSize(100, 50), 100);
    assert.equal(sendBatchSize(4, 50), 4);
  });
  it('holds at most a minute of sending at a low rate, and at least one message', () => {
    assert.equal(sendBatchSize(100, 1), 60);
    assert.equal(sendBatchSize(100, 0.5), 30);
    assert.equal(sendBatchSize(100, 0.001), 1);
    for (const rate of [0.01, 0.2, 1, 1.5, 3]) {
      const n = sendBatchSize(1000, rate);
      assert.ok(n >= 1 && (n - 1) / rate <= SEND_BATCH_EXPIRE_SECONDS / 2, `${n} messages at ${rate}/s`);
    }
  });
});
