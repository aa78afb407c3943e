// For tests: a shop with a support team — the owner, two support assistants (Sam and Sue), an
// admin and a marketer, signed in — and a customer's email arriving through the real intake.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addMember, createTestApp, setupOwner, type Backend, type Client, type TestApp } from '../../../test/support/harness.js';
import { seedShop, type Shop } from '../../../test/support/shop.js';
import { parseInbound } from './inbound.js';
import { plainMessage } from './test-mail.js';

export interface SupportShop {
  t: TestApp;
  owner: Client;
  sam: Client;
  sue: Client;
  /** null when opened with `admin: false` */
  admin: Client | null;
  marketing: Client;
  shop: Shop;
  samId: string;
  sueId: string;
  /** A customer's plain email to the support address: the conversation it lands in. */
  customerWrites(from: string, subject: string, extra?: { inReplyTo?: string }): Promise<string>;
  /** The Message-ID of the last email customerWrites sent. */
  lastMessageId(): string;
  close(): Promise<void>;
}

export async function openSupportShop(backend: Backend, opts: { startWorkers?: boolean; admin?: boolean } = {}): Promise<SupportShop> {
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'support-shop-'));
  const t = await createTestApp(backend, { startWorkers: opts.startWorkers, config: { SUPPORT_ADDRESS: 'support@shop.test', FILES_DIR: filesDir, REFUND_LIMIT_SUPPORT_CENTS: '100000' } });
  const owner = await setupOwner(t);
  const sam = await addMember(t, owner, 'support', 'sam@shop.test');
  const sue = await addMember(t, owner, 'support', 'sue@shop.test');
  const admin = opts.admin === false ? null : await addMember(t, owner, 'admin', 'ada@shop.test');
  const marketing = await addMember(t, owner, 'marketing', 'max@shop.test');
  const users = await t.app.team.listUsers();
  const samId = users.find((u) => u.email === 'sam@shop.test')!.id;
  const sueId = users.find((u) => u.email === 'sue@shop.test')!.id;
  const shop = await seedShop(t);
  let n = 0;
  return {
    t,
    owner,
    sam,
    sue,
    admin,
    marketing,
    shop,
    samId,
    sueId,
    async customerWrites(from, subject, extra = {}) {
      const r = await t.app.support.ingest(await parseInbound(plainMessage({ from, subject, messageId: `<m${++n}@customer.example>`, ...extra }), {}), 'smtp');
      return r.conversationId!;
    },
    lastMessageId: () => `<m${n}@customer.example>`,
    async close() {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
