// A test app that talks to its own fake Stripe (the SDK's retries off, so every dropped answer
// reaches Onehour), with an owner signed in and the checkout test shop seeded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ManualClock } from '../../src/clock.js';
import { FakeStripe } from './fake-stripe.js';
import { createTestApp, setupOwner, type Backend, type Client, type TestApp } from './harness.js';
import { seedShop, type Shop } from './shop.js';

export interface StripeShop {
  t: TestApp;
  fake: FakeStripe;
  shop: Shop;
  owner: Client;
  close(): Promise<void>;
}

export async function openStripeShop(backend: Backend, clock: ManualClock, config: Record<string, string> = {}): Promise<StripeShop> {
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
  const fake = new FakeStripe(() => clock.now());
  await fake.start();
  const t = await createTestApp(backend, {
    clock,
    config: { FILES_DIR: filesDir, STRIPE_SECRET_KEY: 'sk_test_onehour', STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_URL: fake.url, STRIPE_MAX_NETWORK_RETRIES: '0', ...config },
  });
  const owner = await setupOwner(t);
  const shop = await seedShop(t);
  return {
    t,
    fake,
    shop,
    owner,
    async close() {
      await t.close();
      await fake.stop();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
