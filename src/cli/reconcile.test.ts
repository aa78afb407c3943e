// `onehour reconcile` as an operator runs it: a real process against a local server playing Stripe.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnNode } from '../../test/support/processes.js';
import { FakeStripe } from '../../test/support/fake-stripe.js';
import { backends, createPgDatabase } from '../../test/support/harness.js';

for (const backend of backends()) {
  describe(`onehour reconcile [${backend}]`, () => {
    const fake = new FakeStripe(() => new Date());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-reconcile-'));
    let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
    before(async () => {
      await fake.start();
      if (backend === 'pg') pgDb = await createPgDatabase();
    });
    after(async () => {
      await fake.stop();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('finishes the pass, lists what it could not apply, and says so in its exit code', async () => {
      // An event whose invoice Stripe cannot give back right now.
      fake.objects.set('in_test_unreadable', { id: 'in_test_unreadable', object: 'invoice', created: Math.floor(Date.now() / 1000) });
      const event = fake.emit('invoice.paid', fake.get('in_test_unreadable'));
      fake.failFetch('in_test_unreadable');
      const p = spawnNode(['bin/onehour.js', 'reconcile'], {
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
        STRIPE_SECRET_KEY: 'sk_test_cli',
        STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
        STRIPE_API_URL: fake.url,
        STRIPE_MAX_NETWORK_RETRIES: '0',
      });
      const code = await p.exited;
      const out = p.output();
      assert.equal(code, 2, out);
      assert.match(out, /Checked 1 Stripe sessions and events; repaired 0\./);
      assert.match(out, new RegExp(`skipped +${event.id} \\(invoice\\.paid\\): Stripe could not be asked`));
      assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    });
  });
}
