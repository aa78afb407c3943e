// A local HTTP server that plays Stripe's side for tests: the API endpoints Onehour calls
// (through the real `stripe` SDK), with idempotency keys honoured like Stripe does, plus
// helpers that do what a customer or Stripe Billing would (pay a session, renew, fail,
// refund from the dashboard, open a dispute) and produce the events Stripe would send.
// Only 127.0.0.1. Fault injection: failNext(n) answers the next n API calls with a 500;
// dropResponses(n, path) does the work of the next n matching calls and then drops the
// connection without an answer; failFetch(id) makes reads of one object fail; legacy = true
// answers in an older API shape (invoice.subscription, subscription.current_period_end).
// Idempotency keys reused with other parameters get Stripe's idempotency_error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

type Obj = Record<string, any>;

export interface StripeEventRecord {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  data: { object: Obj };
}

const sdk = new Stripe('sk_test_signing_only');

function parseForm(text: string): Obj {
  const root: Obj = {};
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    const path = key.replace(/\]/g, '').split('[');
    let node = root;
    for (let i = 0; i < path.length - 1; i++) node = node[path[i]!] ??= {};
    node[path[path.length - 1]!] = value;
  }
  return arrays(root) as Obj;
}

/** { "0": a, "1": b } → [a, b] */
function arrays(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const o = v as Obj;
  const keys = Object.keys(o);
  const out: Obj = {};
  for (const k of keys) out[k] = arrays(o[k]);
  if (keys.length && keys.every((k, i) => k === String(i))) return keys.map((k) => out[k]);
  return out;
}

export class FakeStripe {
  url = '';
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  private server: http.Server;
  private seq = 0;
  private failures = 0;
  readonly objects = new Map<string, Obj>();
  readonly events: StripeEventRecord[] = [];
  readonly requests: { method: string; path: string; idempotencyKey?: string; body: Obj }[] = [];
  private idempotent = new Map<string, { status: number; body: string; params: string }>();
  private drops: { n: number; path: string } = { n: 0, path: '' };
  private failingFetches = new Map<string, number>();
  /** Answer (and send events) in an older API version's shapes. */
  legacy = false;

  constructor(private readonly now: () => Date) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next n API calls answer 500 (a Stripe outage). */
  failNext(n: number): void {
    this.failures = n;
  }

  /** The next n POSTs to `path` (e.g. '/v1/refunds') are carried out, then the connection drops before the answer. */
  dropResponses(n: number, path: string): void {
    this.drops = { n, path };
  }

  /** Reads of this object fail with this status (an unreadable object; 404 = Stripe does not know it). */
  failFetch(id: string, status = 500): void {
    this.failingFetches.set(id, status);
  }

  private id(prefix: string): string {
    return `${prefix}_test_${(++this.seq).toString(36).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
  }

  private ts(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private put(o: Obj): Obj {
    this.objects.set(o.id, o);
    return o;
  }

  get(id: string): Obj {
    const o = this.objects.get(id);
    if (!o) throw new Error(`fake stripe: no ${id}`);
    return o;
  }

  all(object: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.object === object);
  }

  /** Records an event with a snapshot of the object, as Stripe would send it. */
  emit(type: string, object: Obj): StripeEventRecord {
    const e: StripeEventRecord = {
      id: this.id('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: this.ts(),
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: this.shaped(structuredClone(object)) },
    };
    this.events.push(e);
    return e;
  }

  /** A webhook delivery: the JSON body and its Stripe-Signature header. */
  sign(event: StripeEventRecord, opts: { secret?: string; timestamp?: number; tamper?: boolean } = {}): { payload: string; header: string } {
    const payload = JSON.stringify(event);
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? this.webhookSecret, timestamp: opts.timestamp ?? this.ts() });
    return { payload: opts.tamper ? payload.replace('"livemode":false', '"livemode":true') : payload, header };
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const body = { ...parseForm(url.search.slice(1)), ...parseForm(Buffer.concat(chunks).toString()) };
    const key = req.headers['idempotency-key'] as string | undefined;
    const params = Buffer.concat(chunks).toString();
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, idempotencyKey: key, body });
    /** Answers, unless this answer is one to lose (see dropResponses). */
    const answer = (status: number, text: string, headers: Record<string, string>) => {
      if (this.drops.n > 0 && req.method === 'POST' && url.pathname === this.drops.path) {
        this.drops.n--;
        // The work is done (and remembered under the key); the answer breaks off half-way,
        // so the client cannot tell what happened. (A socket closed before the answer is
        // retried at once by the SDK itself, which takes it for a stale keep-alive connection;
        // a cut-off body is what reaches Onehour as an unknown outcome, every time.)
        const cut = text.slice(0, 10);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(cut)), connection: 'close' });
        return res.end(cut);
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };
    const send = (status: number, json: unknown) => {
      const text = JSON.stringify(json);
      if (key && req.method === 'POST' && status < 500) this.idempotent.set(`${url.pathname}:${key}`, { status, body: text, params });
      answer(status, text, { 'request-id': this.id('req') });
    };
    if (this.failures > 0) {
      this.failures--;
      return send(500, { error: { type: 'api_error', message: 'Fake Stripe is having an outage' } });
    }
    if (key && req.method === 'POST') {
      const seen = this.idempotent.get(`${url.pathname}:${key}`);
      if (seen && seen.params !== params) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } }),
        );
      }
      if (seen) return answer(seen.status, seen.body, { 'idempotent-replayed': 'true' });
    }
    try {
      const [status, json] = this.route(req.method ?? 'GET', url.pathname, body);
      send(status, json);
    } catch (err) {
      send(400, { error: { type: 'invalid_request_error', message: String((err as Error).message) } });
    }
  }

  private notFound(id: string): [number, unknown] {
    return [404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such object: '${id}'` } }];
  }

  private route(method: string, path: string, b: Obj): [number, unknown] {
    const parts = path.split('/').filter(Boolean); // v1, resource, id
    const res = parts.slice(1, -1).join('/') || parts[1];
    const id = parts.length > 2 ? parts[parts.length - 1] : undefined;
    const expand = (o: Obj) => this.expand(o, (b.expand as string[] | undefined) ?? []);
    if (method === 'POST' && path === '/v1/checkout/sessions') return [200, this.createSession(b)];
    if (method === 'GET' && path === '/v1/checkout/sessions') {
      return [200, this.list(this.all('checkout.session'), b, (s) => (!b.payment_intent || s.payment_intent === b.payment_intent) && (!b.subscription || s.subscription === b.subscription))];
    }
    if (method === 'GET' && path === '/v1/events') return [200, this.list([...this.events], b)];
    if (method === 'GET' && path === '/v1/refunds') return [200, this.list(this.all('refund'), b, (r) => !b.payment_intent || r.payment_intent === b.payment_intent)];
    if (method === 'GET' && path === '/v1/disputes') return [200, this.list(this.all('dispute'), b, (d) => !b.charge || d.charge === b.charge)];
    if (method === 'POST' && path === '/v1/payment_intents') return this.offSessionCharge(b);
    if (method === 'POST' && path === '/v1/refunds') return this.apiRefund(b);
    if (method === 'POST' && path === '/v1/billing_portal/sessions') return [200, { id: this.id('bps'), object: 'billing_portal.session', customer: b.customer, url: `${this.url}/portal/${b.customer}` }];
    if (method === 'DELETE' && res === 'subscriptions' && id) {
      const s = this.objects.get(id);
      if (!s) return this.notFound(id);
      if (s.status !== 'canceled') {
        s.status = 'canceled';
        s.canceled_at = this.ts();
        this.emit('customer.subscription.deleted', s);
      }
      return [200, s];
    }
    if (method === 'GET' && id) {
      const failing = this.failingFetches.get(id);
      if (failing === 404) return this.notFound(id);
      if (failing) return [failing, { error: { type: 'api_error', message: `Fake Stripe cannot read ${id}` } }];
      const o = this.objects.get(id);
      if (!o) return this.notFound(id);
      return [200, this.shaped(expand(o))];
    }
    return [404, { error: { type: 'invalid_request_error', message: `fake stripe does not know ${method} ${path}` } }];
  }

  /**
   * An object as an older API version shows it (before 2025-03-31): an invoice names its
   * subscription and payment intent at the top level (no parent, no payments), and a
   * subscription carries its period at the top level rather than on its items.
   */
  private shaped(o: Obj): Obj {
    if (!this.legacy) return o;
    const walk = (x: Obj): Obj => {
      if (x.object === 'invoice' && x.parent) {
        x.subscription = x.parent.subscription_details?.subscription ?? null;
        x.subscription_details = { metadata: x.parent.subscription_details?.metadata ?? {} };
        x.payment_intent = x.payments?.data?.[0]?.payment?.payment_intent ?? null;
        delete x.parent;
        delete x.payments;
      }
      if (x.object === 'subscription' && x.items?.data?.[0]) {
        x.current_period_start = x.items.data[0].current_period_start;
        x.current_period_end = x.items.data[0].current_period_end;
        delete x.items.data[0].current_period_start;
        delete x.items.data[0].current_period_end;
      }
      for (const v of Object.values(x)) if (v && typeof v === 'object' && !Array.isArray(v) && (v as Obj).object) walk(v as Obj);
      return x;
    };
    return walk(structuredClone(o));
  }

  private expand(o: Obj, fields: string[]): Obj {
    const copy = structuredClone(o);
    for (const f of fields) {
      const v = copy[f];
      if (typeof v === 'string' && this.objects.has(v)) copy[f] = structuredClone(this.objects.get(v));
    }
    return copy;
  }

  /** Newest first, with starting_after paging, like Stripe's list endpoints. */
  private list(items: Obj[], b: Obj, filter: (o: Obj) => boolean = () => true) {
    const gte = b.created?.gte ? Number(b.created.gte) : -Infinity;
    // Insertion order breaks ties, so "newest first" holds within one second.
    let rows = items
      .map((o, i) => ({ o, i }))
      .filter(({ o }) => o.created >= gte && filter(o))
      .sort((x, y) => y.o.created - x.o.created || y.i - x.i)
      .map(({ o }) => o);
    if (b.starting_after) rows = rows.slice(rows.findIndex((o) => o.id === b.starting_after) + 1);
    const limit = Number(b.limit ?? 10);
    return { object: 'list', url: '/v1/list', has_more: rows.length > limit, data: rows.slice(0, limit) };
  }

  // ---- what Onehour creates ----------------------------------------------------------------------

  private createSession(b: Obj): Obj {
    const lines = (b.line_items as Obj[]).map((l) => ({ amount: Number(l.price_data.unit_amount), name: l.price_data.product_data.name, recurring: l.price_data.recurring?.interval ?? null, currency: l.price_data.currency }));
    const trial = b.subscription_data?.trial_period_days ? Number(b.subscription_data.trial_period_days) : 0;
    const subtotal = lines.reduce((s, l) => s + (l.recurring && trial ? 0 : l.amount), 0);
    // Stripe Tax computes tax from the buyer's address; this double charges a flat 10 %.
    const tax = String(b.automatic_tax?.enabled) === 'true' ? Math.round(subtotal * 0.1) : 0;
    const due = subtotal + tax;
    const id = this.id('cs');
    return this.put({
      id,
      object: 'checkout.session',
      _seq: this.seq,
      _lines: lines,
      _params: b,
      mode: b.mode,
      status: 'open',
      payment_status: 'unpaid',
      amount_subtotal: subtotal,
      amount_total: due,
      currency: lines[0]!.currency,
      customer: null,
      customer_email: b.customer_email ?? null,
      client_reference_id: b.client_reference_id ?? null,
      metadata: b.metadata ?? {},
      payment_intent: null,
      subscription: null,
      invoice: null,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: tax },
      url: `${this.url}/pay/${id}`,
      success_url: b.success_url,
      cancel_url: b.cancel_url,
      expires_at: Number(b.expires_at),
      created: this.ts(),
    });
  }

  private offSessionCharge(b: Obj): [number, unknown] {
    const pm = this.objects.get(b.payment_method as string);
    const pi = this.put({
      id: this.id('pi'),
      object: 'payment_intent',
      _seq: this.seq,
      amount: Number(b.amount),
      amount_received: 0,
      currency: b.currency,
      customer: b.customer ?? null,
      payment_method: b.payment_method,
      metadata: b.metadata ?? {},
      status: 'requires_payment_method',
      latest_charge: null,
      last_payment_error: null,
      created: this.ts(),
    });
    if (!pm || pm._behaviour === 'declined') {
      pi.last_payment_error = { message: 'Your card was declined.', code: 'card_declined' };
      this.emit('payment_intent.payment_failed', pi);
      return [402, { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.', payment_intent: pi } }];
    }
    this.succeedIntent(pi);
    return [200, pi];
  }

  private apiRefund(b: Obj): [number, unknown] {
    const pi = this.objects.get(b.payment_intent as string);
    if (!pi) return this.notFound(String(b.payment_intent));
    const charge = this.get(pi.latest_charge);
    const amount = b.amount ? Number(b.amount) : charge.amount - charge.amount_refunded;
    if (charge.amount_refunded + amount > charge.amount) return [400, { error: { type: 'invalid_request_error', message: 'Refund is greater than unrefunded amount' } }];
    return [200, this.refund(charge, amount, b.metadata ?? {})];
  }

  // ---- what a customer or Stripe does --------------------------------------------------------------

  private customerFor(email: string | null): Obj {
    const existing = this.all('customer').find((c) => c.email === email);
    return existing ?? this.put({ id: this.id('cus'), object: 'customer', email, created: this.ts() });
  }

  private paymentMethod(behaviour: 'ok' | 'declined' | 'fails_on_renewal'): Obj {
    return this.put({ id: this.id('pm'), object: 'payment_method', type: 'card', _behaviour: behaviour, card: { last4: behaviour === 'declined' ? '0002' : '4242' }, created: this.ts() });
  }

  private succeedIntent(pi: Obj): Obj {
    const charge = this.put({
      id: this.id('ch'),
      object: 'charge',
      _seq: this.seq,
      amount: pi.amount,
      amount_captured: pi.amount,
      amount_refunded: 0,
      currency: pi.currency,
      payment_intent: pi.id,
      paid: true,
      refunded: false,
      disputed: false,
      status: 'succeeded',
      metadata: {},
      refunds: { object: 'list', data: [], has_more: false, url: '/v1/refunds' },
      created: this.ts(),
    });
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.latest_charge = charge.id;
    this.emit('payment_intent.succeeded', pi);
    this.emit('charge.succeeded', charge);
    return charge;
  }

  /** The buyer pays on Stripe's page. Returns the events Stripe sends for it. */
  completeSession(sessionId: string, opts: { card?: 'ok' | 'fails_on_renewal' } = {}): StripeEventRecord[] {
    const from = this.events.length;
    const s = this.get(sessionId);
    const customer = this.customerFor(s.customer_email);
    const pm = this.paymentMethod(opts.card ?? 'ok');
    s.customer = customer.id;
    if (s.mode === 'payment') {
      const pi = this.put({ id: this.id('pi'), object: 'payment_intent', _seq: this.seq, amount: s.amount_total, amount_received: 0, currency: s.currency, customer: customer.id, payment_method: pm.id, metadata: s._params.payment_intent_data?.metadata ?? {}, status: 'processing', latest_charge: null, last_payment_error: null, created: this.ts() });
      this.succeedIntent(pi);
      s.payment_intent = pi.id;
      s.payment_status = 'paid';
    } else {
      const trialDays = Number(s._params.subscription_data?.trial_period_days ?? 0);
      const recurring = s._lines.find((l: Obj) => l.recurring);
      const start = this.ts();
      const end = start + (trialDays ? trialDays * 86400 : recurring.recurring === 'year' ? 365 * 86400 : 30 * 86400);
      const sub = this.put({
        id: this.id('sub'),
        object: 'subscription',
        _seq: this.seq,
        _amount: recurring.amount,
        _interval: recurring.recurring,
        status: trialDays ? 'trialing' : 'active',
        customer: customer.id,
        default_payment_method: pm.id,
        cancel_at_period_end: false,
        metadata: s._params.subscription_data?.metadata ?? {},
        items: { object: 'list', data: [{ id: this.id('si'), object: 'subscription_item', current_period_start: start, current_period_end: end }] },
        latest_invoice: null,
        created: start,
      });
      const inv = this.invoice(sub, 'subscription_create', s.amount_total, true, start, end);
      s.subscription = sub.id;
      s.invoice = inv.id;
      s.payment_status = s.amount_total > 0 ? 'paid' : 'no_payment_required';
      this.emit('customer.subscription.created', sub);
    }
    s.status = 'complete';
    this.emit('checkout.session.completed', s);
    return this.events.slice(from);
  }

  private invoice(sub: Obj, reason: string, amount: number, paid: boolean, start: number, end: number): Obj {
    const inv = this.put({
      id: this.id('in'),
      object: 'invoice',
      _seq: this.seq,
      billing_reason: reason,
      status: paid ? 'paid' : 'open',
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      attempt_count: 1,
      next_payment_attempt: paid ? null : this.ts() + 3 * 86400,
      customer: sub.customer,
      currency: 'usd',
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: sub.metadata } },
      lines: { object: 'list', data: [{ id: this.id('il'), period: { start, end }, amount }] },
      payments: { object: 'list', data: [] as Obj[] },
      created: this.ts(),
    });
    if (paid && amount > 0) {
      const pi = this.put({ id: this.id('pi'), object: 'payment_intent', _seq: this.seq, amount, amount_received: 0, currency: 'usd', customer: sub.customer, payment_method: sub.default_payment_method, metadata: {}, status: 'processing', latest_charge: null, last_payment_error: null, created: this.ts() });
      this.succeedIntent(pi);
      inv.payments.data.push({ id: this.id('inpay'), object: 'invoice_payment', payment: { type: 'payment_intent', payment_intent: pi.id } });
    }
    sub.latest_invoice = inv.id;
    this.emit(paid ? 'invoice.paid' : 'invoice.payment_failed', inv);
    return inv;
  }

  /** Stripe Billing charges the next period: paid, or failed (with the card that fails on renewal). */
  renew(subscriptionId: string): StripeEventRecord[] {
    const from = this.events.length;
    const sub = this.get(subscriptionId);
    const pm = this.get(sub.default_payment_method);
    const item = sub.items.data[0];
    const start = item.current_period_end;
    const end = start + (sub._interval === 'year' ? 365 * 86400 : 30 * 86400);
    const ok = pm._behaviour === 'ok';
    this.invoice(sub, 'subscription_cycle', sub._amount, ok, start, end);
    if (ok) {
      item.current_period_start = start;
      item.current_period_end = end;
      sub.status = 'active';
    } else {
      sub.status = 'past_due';
    }
    this.emit('customer.subscription.updated', sub);
    return this.events.slice(from);
  }

  /** Stripe retries an open invoice: it fails again, or (after a card update) goes through. */
  retryInvoice(invoiceId: string, succeed: boolean): StripeEventRecord[] {
    const from = this.events.length;
    const inv = this.get(invoiceId);
    const sub = this.get(inv.parent.subscription_details.subscription);
    if (succeed) {
      const pi = this.put({ id: this.id('pi'), object: 'payment_intent', _seq: this.seq, amount: inv.amount_due, amount_received: 0, currency: 'usd', customer: sub.customer, payment_method: sub.default_payment_method, metadata: {}, status: 'processing', latest_charge: null, last_payment_error: null, created: this.ts() });
      this.succeedIntent(pi);
      inv.payments.data.push({ id: this.id('inpay'), object: 'invoice_payment', payment: { type: 'payment_intent', payment_intent: pi.id } });
      inv.status = 'paid';
      inv.amount_paid = inv.amount_due;
      inv.next_payment_attempt = null;
      const item = sub.items.data[0];
      item.current_period_start = inv.lines.data[0].period.start;
      item.current_period_end = inv.lines.data[0].period.end;
      sub.status = 'active';
      this.emit('invoice.paid', inv);
    } else {
      inv.attempt_count += 1;
      inv.next_payment_attempt = this.ts() + 2 * 86400;
      this.emit('invoice.payment_failed', inv);
    }
    this.emit('customer.subscription.updated', sub);
    return this.events.slice(from);
  }

  /** The customer fixed their card in the billing portal. */
  updateCard(subscriptionId: string): void {
    const sub = this.get(subscriptionId);
    sub.default_payment_method = this.paymentMethod('ok').id;
  }

  refund(charge: Obj, amount: number, metadata: Obj = {}): Obj {
    const r = this.put({ id: this.id('re'), object: 'refund', _seq: this.seq, amount, charge: charge.id, payment_intent: charge.payment_intent, currency: charge.currency, status: 'succeeded', metadata, created: this.ts() });
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    charge.refunds.data.unshift(r);
    this.emit('charge.refunded', charge);
    this.emit('refund.created', r);
    return r;
  }

  /** A refund made in Stripe's dashboard (not through Onehour). */
  dashboardRefund(paymentIntentId: string, amount: number): StripeEventRecord[] {
    const from = this.events.length;
    this.refund(this.get(this.get(paymentIntentId).latest_charge), amount);
    return this.events.slice(from);
  }

  dispute(paymentIntentId: string): StripeEventRecord[] {
    const from = this.events.length;
    const charge = this.get(this.get(paymentIntentId).latest_charge);
    charge.disputed = true;
    const d = this.put({ id: this.id('dp'), object: 'dispute', _seq: this.seq, charge: charge.id, payment_intent: paymentIntentId, amount: charge.amount, reason: 'fraudulent', status: 'needs_response', created: this.ts() });
    this.emit('charge.dispute.created', d);
    return this.events.slice(from);
  }

  /** The bank decides a dispute: won (the money comes back) or lost (it stays with the customer). */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): StripeEventRecord[] {
    const from = this.events.length;
    const d = this.get(disputeId);
    d.status = outcome;
    this.emit('charge.dispute.closed', d);
    return this.events.slice(from);
  }

  expireSession(sessionId: string): StripeEventRecord[] {
    const from = this.events.length;
    const s = this.get(sessionId);
    s.status = 'expired';
    this.emit('checkout.session.expired', s);
    return this.events.slice(from);
  }

  sessionCreates(): number {
    return this.all('checkout.session').length;
  }
}
