// The demo business's inbox: a few customers' conversations (some open, one past its SLA, one
// answered, closed and rated by its customer, one from the site's contact block), three canned
// replies, and one refund above the support limit waiting for the owner.
// Everything made at the demo's "today" by the demo loader is the system's; the refund request
// is the support assistant's own (that is what it shows).
import { eq } from 'drizzle-orm';
import type { App } from '../../app.js';
import type { DemoContext } from '../../demo/random.js';
import { parseInbound } from './inbound.js';
import { plainMessage } from './test-mail.js';
import { supportConversations } from './schema.js';

const QUESTIONS = [
  { subject: 'Cannot open lesson 3', text: 'Hi, the video of lesson 3 does not load for me. Can you help?' },
  { subject: 'Invoice with my company name', text: 'Could I get the invoice with my company name and VAT number on it?' },
  { subject: 'Refund please', text: 'The course is not what I expected. Can I get my money back?' },
  { subject: 'When is the next cohort?', text: 'I loved the course. Is there a follow-up planned?' },
];

export async function seedSupportDemo(app: App, ctx: DemoContext): Promise<void> {
  const system = { kind: 'system' as const };
  for (const c of [
    { shortcut: 'thanks', title: 'Thank you', body: 'Hi {{ contact.first_name }},\n\nThank you for writing. ' },
    { shortcut: 'order', title: 'About your order', body: 'Hi {{ contact.first_name }},\n\nYour order #{{ last_order.number }} ({{ last_order.total }} {{ last_order.currency }}) is paid and your access is open.' },
    { shortcut: 'progress', title: 'Your progress', body: 'Hi {{ contact.first_name }},\n\n{% for c in courses %}{{ c.title }}: {{ c.progress }}% done.\n{% endfor %}' },
  ]) await app.support.saveCanned(c, system);

  const customers = ((ctx.shared.customers as { contactId: string; email: string; name: string }[] | undefined) ?? []).slice(0, QUESTIONS.length);
  const ids: string[] = [];
  for (const [i, c] of customers.entries()) {
    const q = QUESTIONS[i]!;
    const msg = await parseInbound(plainMessage({ from: `${c.name || c.email} <${c.email}>`, subject: q.subject, messageId: `<demo-${i}@customer.demo>`, text: q.text }));
    const r = await app.support.ingest(msg, 'smtp');
    if (r.conversationId) ids.push(r.conversationId);
  }
  // One conversation has waited three days: past its first-response target.
  if (ids[0]) {
    const waited = new Date(ctx.now.getTime() - 3 * 86_400_000);
    await app.db.update(supportConversations).set({ firstInboundAt: waited, waitingSince: waited, createdAt: waited, lastMessageAt: waited }).where(eq(supportConversations.id, ids[0]));
    await app.support.checkSlas();
  }
  const maya = (await app.team.listUsers()).find((u) => u.role === 'support');
  // Ratings on: Maya answered the cohort question and closed it; the customer rated it from the link.
  // (Ratings need a valid intake address: an installation whose mail domain is not one, such
  // as localhost, keeps them off until the owner sets the address.)
  const settings = await app.support.settings();
  if (/^[^\s@+<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(settings.address)) await app.support.updateSettings({ ratings: true }, system);
  const answered = ids[3];
  if (maya && answered) {
    const mayaActor = { kind: 'assistant' as const, id: maya.id, role: 'support', label: maya.name };
    await app.support.reply(answered, { text: 'Yes: the follow-up course opens in the spring. You will hear from us first.', status: 'closed' }, mayaActor);
    await app.support.rate(answered, 'great', 'Quick and clear, thank you!');
  }
  // A visitor's question from the contact block of a site page.
  await app.support.contactFromSite({ email: 'jules.visitor@example.org', name: 'Jules', subject: 'Is the course for beginners?', message: 'I have never done this before. Is the course right for me?', page: '/p/contact' });
  // A refund above the support limit, asked by the support assistant: pending the owner's approval.
  const refundConversation = ids[2];
  const customer = customers[2];
  if (maya && refundConversation && customer) {
    const limit = (await app.support.settings()).limits.support.refundMax;
    const { orders } = await app.checkout.queries.listOrders(app.db, { q: customer.email });
    // Only an order above the limit: the request must wait for the owner, never refund in the demo.
    const order = orders.find((o) => o.status === 'paid' && o.amountPaid - o.amountRefunded > limit);
    if (order) {
      await app.support.act(refundConversation, { kind: 'refund', orderId: order.id, reason: 'The customer says the course is not what they expected' }, { kind: 'assistant', id: maya.id, role: 'support', label: maya.name });
    }
  }
}
