// Demo audience: a year of list growth. About 2,400 contacts who came through two opt-in forms
// (one double opt-in with a lead magnet), a Mailchimp migration ten months ago and checkout,
// with the consent evidence of each, some who left or bounced, tags, lists, segments and the
// finished import with its report. History is inserted directly with past dates, not through
// the outbox, so no automation fires for something that "happened" months ago. Every address
// is on a reserved example domain: a demo broadcast can never reach a real person.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { App } from '../../app.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { DAY_MS, type DemoContext, type Random } from '../../demo/random.js';
import {
  consentRecords,
  contacts,
  contactTags,
  forms,
  importIssues,
  imports,
  listSubscriptions,
  lists,
  segments,
  tags,
  type ContactStatus,
} from './schema.js';
import { SEGMENT_COMPILER_VERSION, compileSegmentSql, type SegmentRules } from './segments.js';

const FIRST = [
  'Anna', 'Ben', 'Carla', 'David', 'Elif', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kaito', 'Lena', 'Mateo', 'Nina', 'Omar', 'Priya',
  'Quentin', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe', 'Amara', 'Bruno', 'Chloé', 'Dmitri', 'Emma', 'Farah',
  'Giulia', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Laila', 'Marta', 'Noah', 'Olga', 'Pedro', 'Rahul', 'Sofia', 'Tomás', 'Uma', 'Viktor', 'Yara',
];
const LAST = [
  'Schmidt', 'Okafor', 'García', 'Nguyen', 'Yılmaz', 'Rossi', 'Johansson', 'Kowalski', 'Tanaka', 'Dubois', 'Silva', 'Müller', 'Haddad',
  'Patel', 'Novak', 'Fischer', 'Moreau', 'Ivanova', 'Kim', 'Andersen', 'Costa', 'Mensah', 'Larsen', 'Weber', 'Chen', 'Santos', 'Bauer',
  'Ali', 'Lindqvist', 'Romero', 'Kaplan', 'Sato', 'Hughes', 'Ferreira', 'Berg', 'Wójcik',
];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'studio.example.org'];
const CITIES = ['Berlin', 'Lisbon', 'Toronto', 'Melbourne', 'Austin', 'Lagos', 'Bangalore', 'Warsaw', 'Osaka', 'Mexico City', 'Leeds', 'Lyon'];
const ROLES = ['Freelancer', 'Coach', 'Course creator', 'Consultant', 'Agency owner', 'Writer', 'Designer'];
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];

const WEEKLY_CONSENT = 'Yes, send me the Weekly letter: one practical idea about running a course business, every Friday. I can unsubscribe at any time.';
const GUIDE_CONSENT = 'Send me the free Pricing guide and occasional Product news. I can unsubscribe with one click in every email.';
const IMPORT_CONSENT = 'Subscribers of our Mailchimp newsletter (double opt-in on our old site), moved to Onehour.';

type Row = typeof contacts.$inferInsert;
type EventRow = typeof events.$inferInsert;

function ip(random: Random): string {
  const nets = ['203.0.113', '198.51.100', '192.0.2'];
  return `${random.pick(nets)}.${random.int(1, 254)}`;
}

/** Contact ids from whatever shape the sell seed left (ids, contacts or customers with a contactId). */
function customerIds(shared: unknown): string[] {
  if (!Array.isArray(shared)) return [];
  return shared
    .map((c: unknown) => (typeof c === 'string' ? c : typeof c === 'object' && c ? ((c as { contactId?: string }).contactId ?? (c as { id?: string }).id) : undefined))
    .filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id));
}

/** A one-page PDF written by hand: the lead magnet of the demo guide form. */
function pricingGuidePdf(): Buffer {
  const text = 'BT /F1 20 Tf 72 720 Td (The Pricing Guide) Tj /F1 12 Tf 0 -32 Td (1. Price the outcome, not the hours.) Tj 0 -18 Td (2. Offer a payment plan.) Tj 0 -18 Td (3. Raise prices for new buyers first.) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export async function seedAudienceDemo(app: App, ctx: DemoContext): Promise<void> {
  const { random } = ctx;
  const now = ctx.now.getTime();
  // A day in the past at a daytime hour; never later than now.
  const ago = (days: number, hour = random.int(7, 22)) => new Date(Math.min(now - 60_000, now - days * DAY_MS + hour * 3_600_000 - 12 * 3_600_000));
  const owner = { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' } as const;
  const marketer = (ctx.shared.assistants as { id: string; role: string }[] | undefined)?.find((a) => a.role === 'marketing');
  const staff = marketer ? ({ actorKind: 'assistant', actorId: marketer.id, actorRole: 'marketing' } as const) : owner;
  const history: EventRow[] = [];
  const db = app.db;
  const yearAgo = ago(365, 9);

  // ---- lists, tags, forms --------------------------------------------------------------
  const [weekly, product] = await db
    .insert(lists)
    .values([
      { name: 'Weekly letter', description: 'One practical idea about running a course business, every Friday', createdAt: yearAgo },
      { name: 'Product news', description: 'New courses, launches and offers, about once a month', createdAt: yearAgo },
    ])
    .returning();
  const tagNames = ['Customer', 'Pricing guide', 'Webinar 2025', 'VIP', 'Moved from Mailchimp', 'Podcast listener'];
  const tagRows = await db
    .insert(tags)
    .values(tagNames.map((name) => ({ name, createdAt: yearAgo })))
    .onConflictDoNothing()
    .returning();
  const tag = Object.fromEntries(tagRows.map((t) => [t.name, t.id])) as Record<string, string>;

  const [weeklyForm, guideForm] = await db
    .insert(forms)
    .values([
      {
        slug: 'weekly-letter',
        name: 'Weekly letter (site footer)',
        title: 'The Weekly letter',
        intro: '<p>One practical idea about running a course business, every Friday. Read by 2,000 creators.</p>',
        consentText: WEEKLY_CONSENT,
        buttonLabel: 'Send me the letter',
        successMessage: 'Welcome aboard! The next letter arrives on Friday.',
        doubleOptIn: true,
        askName: 'optional',
        listIds: [weekly!.id],
        tagIds: [],
        createdAt: yearAgo,
        updatedAt: yearAgo,
      },
      {
        slug: 'pricing-guide',
        name: 'Pricing guide (lead magnet)',
        title: 'Free guide: price your course with confidence',
        intro: '<p>The three pricing moves that doubled our revenue, in a <strong>12-page guide</strong>.</p>',
        consentText: GUIDE_CONSENT,
        buttonLabel: 'Get the free guide',
        successMessage: 'Your guide is ready.',
        doubleOptIn: true,
        askName: 'required',
        customFields: [{ key: 'role', label: 'What best describes you?', required: false }],
        listIds: [product!.id],
        tagIds: [tag['Pricing guide']!],
        createdAt: ago(300, 10),
        updatedAt: ago(300, 10),
      },
    ])
    .returning();
  const pdf = pricingGuidePdf();
  const stored = 'demo-pricing-guide.pdf';
  const dir = path.join(app.config.dataDir, 'forms', guideForm!.id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, stored), pdf);
  await db
    .update(forms)
    .set({ leadMagnetFile: stored, leadMagnetName: 'Pricing guide.pdf', leadMagnetType: 'application/pdf', leadMagnetSize: pdf.length })
    .where(inArray(forms.id, [guideForm!.id]));
  for (const l of [weekly!, product!]) history.push({ occurredAt: yearAgo, type: 'list.created', ...owner, subjectType: 'list', subjectId: l.id, data: { name: l.name } });
  history.push({ occurredAt: yearAgo, type: 'form.created', ...owner, subjectType: 'form', subjectId: weeklyForm!.id, data: { slug: weeklyForm!.slug, doubleOptIn: true } });
  history.push({ occurredAt: ago(300, 10), type: 'form.created', ...staff, subjectType: 'form', subjectId: guideForm!.id, data: { slug: guideForm!.slug, doubleOptIn: true } });

  // ---- the Mailchimp migration, ten months ago -------------------------------------------
  const importId = randomUUID();
  const importAt = ago(305, 14);
  const importRows = 512;

  // ---- contacts --------------------------------------------------------------------------
  const rows: Row[] = [];
  const consents: (typeof consentRecords.$inferInsert)[] = [];
  const subs: (typeof listSubscriptions.$inferInsert)[] = [];
  const tagged: (typeof contactTags.$inferInsert)[] = [];
  const used = new Set<string>();
  const makePerson = () => {
    for (;;) {
      const first = random.pick(FIRST);
      const last = random.pick(LAST);
      const local = `${first}.${last}`
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^A-Za-z.]/g, '')
        .toLowerCase();
      const email = `${local}${random.chance(0.4) ? random.int(1, 99) : ''}@${random.pick(DOMAINS)}`;
      if (!used.has(email)) {
        used.add(email);
        return { name: `${first} ${last}`, email };
      }
    }
  };
  const add = (p: { name: string; email: string }, at: Date, source: string, status: ContactStatus, extra: Partial<Row> = {}) => {
    const id = randomUUID();
    rows.push({
      id,
      email: p.email,
      emailNormalized: p.email.toLowerCase(),
      name: p.name,
      status,
      source,
      fields: {
        ...(random.chance(0.6) ? { city: random.pick(CITIES) } : {}),
        ...(source.startsWith('form:') && random.chance(0.5) ? { role: random.pick(ROLES) } : {}),
      },
      createdAt: at,
      updatedAt: at,
      confirmedAt: status === 'unconfirmed' ? null : at,
      ...extra,
    });
    return id;
  };

  // Imported subscribers: one afternoon, ten months ago.
  const imported: string[] = [];
  for (let i = 0; i < 480; i++) {
    const status: ContactStatus = random.chance(0.03) ? 'unsubscribed' : random.chance(0.02) ? 'bounced' : 'active';
    const id = add(makePerson(), importAt, `import:${importId}`, status, { importId, importRow: i + 1, confirmedAt: null });
    imported.push(id);
    if (status === 'active') subs.push({ contactId: id, listId: weekly!.id, status: 'subscribed', updatedAt: importAt });
    tagged.push({ contactId: id, tagId: tag['Moved from Mailchimp']!, createdAt: importAt });
  }
  history.push({ occurredAt: importAt, type: 'import.started', ...staff, subjectType: 'import', subjectId: importId, data: { fileName: 'mailchimp-audience-export.csv', format: 'mailchimp' } });
  history.push({
    occurredAt: new Date(importAt.getTime() + 40_000),
    type: 'import.completed',
    ...staff,
    subjectType: 'import',
    subjectId: importId,
    data: { rows: importRows, imported: 480, updated: 0, skipped: 20, errored: 12 },
  });

  // Sign-ups through the forms, growing over the year (more each month).
  const signups = 1750;
  for (let i = 0; i < signups; i++) {
    // Skewed towards recent days: the list grows.
    const days = Math.floor(365 * Math.pow(random.next(), 1.6));
    const at = ago(days);
    const viaGuide = days < 300 && random.chance(0.35);
    const form = viaGuide ? guideForm! : weeklyForm!;
    const unconfirmed = days < 10 ? random.chance(0.3) : random.chance(0.03);
    const status: ContactStatus = unconfirmed ? 'unconfirmed' : random.chance(0.05) ? 'unsubscribed' : random.chance(0.015) ? 'bounced' : random.chance(0.002) ? 'complained' : 'active';
    const person = makePerson();
    const id = add(person, at, `form:${form.id}`, status);
    const actor = { actorKind: 'customer', actorId: id, actorRole: null } as const;
    const meta = { ip: ip(random), userAgent: random.pick(USER_AGENTS) };
    consents.push({ contactId: id, kind: 'form', statement: form.consentText, formId: form.id, listIds: form.listIds, ...meta, actorKind: 'customer', actorId: id, occurredAt: at });
    history.push({ occurredAt: at, type: 'contact.created', ...actor, subjectType: 'contact', subjectId: id, data: { source: `form:${form.id}` } });
    history.push({ occurredAt: at, type: 'contact.opt_in_requested', ...actor, subjectType: 'contact', subjectId: id, data: { formId: form.id } });
    if (unconfirmed) continue;
    // Confirmed within the hour and a half after signing up, never after the demo's "today".
    const confirmedAt = new Date(Math.min(at.getTime() + random.int(1, 90) * 60_000, Math.max(at.getTime(), ctx.now.getTime() - 60_000)));
    rows[rows.length - 1]!.confirmedAt = confirmedAt;
    consents.push({ contactId: id, kind: 'confirmed', statement: form.consentText, formId: form.id, listIds: form.listIds, ...meta, actorKind: 'customer', actorId: id, occurredAt: confirmedAt });
    history.push({ occurredAt: confirmedAt, type: 'contact.confirmed', ...actor, subjectType: 'contact', subjectId: id, data: { formId: form.id } });
    history.push({ occurredAt: confirmedAt, type: 'contact.subscribed', ...actor, subjectType: 'contact', subjectId: id, data: { listIds: form.listIds, via: 'form', formId: form.id, confirmed: true } });
    const left = status === 'unsubscribed';
    for (const listId of form.listIds) subs.push({ contactId: id, listId, status: left ? 'unsubscribed' : 'subscribed', updatedAt: confirmedAt });
    // Guide readers often join the Weekly letter later from its footer link; some leave one list only.
    if (viaGuide && random.chance(0.4)) subs.push({ contactId: id, listId: weekly!.id, status: !left && random.chance(0.9) ? 'subscribed' : 'unsubscribed', updatedAt: confirmedAt });
    for (const t of form.tagIds) tagged.push({ contactId: id, tagId: t, createdAt: confirmedAt });
    if (random.chance(0.08)) tagged.push({ contactId: id, tagId: tag['Webinar 2025']!, createdAt: ago(Math.min(days, 60)) });
    if (random.chance(0.05)) tagged.push({ contactId: id, tagId: tag['Podcast listener']!, createdAt: confirmedAt });
    if (left) {
      const leftAt = new Date(Math.min(confirmedAt.getTime() + random.int(3, Math.max(4, days)) * DAY_MS * 0.8, Math.max(confirmedAt.getTime(), ctx.now.getTime() - 60_000)));
      rows[rows.length - 1]!.updatedAt = leftAt;
      consents.push({ contactId: id, kind: 'unsubscribed', statement: 'Unsubscribed via one-click', listIds: [], actorKind: 'customer', actorId: id, occurredAt: leftAt });
      history.push({ occurredAt: leftAt, type: 'contact.unsubscribed', ...actor, subjectType: 'contact', subjectId: id, data: { listId: null, via: random.chance(0.7) ? 'one-click' : 'preferences' } });
    }
  }

  // A few added by hand (met at events), by the marketing assistant.
  for (let i = 0; i < 40; i++) {
    const at = ago(random.int(5, 200));
    const id = add(makePerson(), at, 'admin', 'active');
    consents.push({ contactId: id, kind: 'admin', statement: 'Signed the newsletter sheet at our live workshop', listIds: [weekly!.id], actorKind: staff.actorKind, actorId: staff.actorId, occurredAt: at });
    subs.push({ contactId: id, listId: weekly!.id, status: 'subscribed', updatedAt: at });
    history.push({ occurredAt: at, type: 'contact.created', ...staff, subjectType: 'contact', subjectId: id, data: { source: 'admin' } });
    history.push({ occurredAt: at, type: 'contact.subscribed', ...staff, subjectType: 'contact', subjectId: id, data: { listIds: [weekly!.id], via: 'admin' } });
  }

  // Our most engaged readers.
  const active = rows.filter((r) => r.status === 'active');
  for (let i = 0; i < 60; i++) tagged.push({ contactId: random.pick(active).id!, tagId: tag.VIP!, createdAt: ago(random.int(1, 120)) });

  for (let i = 0; i < rows.length; i += 1000) await db.insert(contacts).values(rows.slice(i, i + 1000)).onConflictDoNothing();

  // Buyers from the sell seed: customers, on Product news unless they said no.
  const buyers = customerIds(ctx.shared.customers);
  if (buyers.length) {
    const known = await db.select({ id: contacts.id, createdAt: contacts.createdAt, status: contacts.status }).from(contacts).where(inArray(contacts.id, buyers));
    for (const b of known) {
      tagged.push({ contactId: b.id, tagId: tag.Customer!, createdAt: b.createdAt });
      if (b.status === 'active') subs.push({ contactId: b.id, listId: product!.id, status: 'subscribed', updatedAt: b.createdAt });
    }
  }

  const dedupe = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];
  const subRows = dedupe(subs, (s) => `${s.contactId}:${s.listId}`);
  const tagRowsToInsert = dedupe(tagged, (t) => `${t.contactId}:${t.tagId}`);
  for (let i = 0; i < subRows.length; i += 1000) await db.insert(listSubscriptions).values(subRows.slice(i, i + 1000)).onConflictDoNothing();
  for (let i = 0; i < tagRowsToInsert.length; i += 1000) await db.insert(contactTags).values(tagRowsToInsert.slice(i, i + 1000)).onConflictDoNothing();
  for (let i = 0; i < consents.length; i += 1000) await db.insert(consentRecords).values(consents.slice(i, i + 1000));

  // ---- the finished import with its report ------------------------------------------------
  const importActor = marketer ? { actorKind: 'assistant', actorId: marketer.id, actorRole: 'marketing', actorLabel: 'ivy@demo.onehour.test' } : { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', actorLabel: ctx.owner.email };
  const headers = ['Email Address', 'First Name', 'Last Name', 'Address', 'Phone Number', 'MEMBER_RATING', 'OPTIN_TIME', 'OPTIN_IP', 'CONFIRM_TIME', 'CONFIRM_IP', 'LEID', 'EUID', 'NOTES', 'TAGS'];
  await db.insert(imports).values({
    id: importId,
    fileName: 'mailchimp-audience-export.csv',
    filePath: `imports/${importId}.csv`,
    fileSize: 96_412,
    encoding: 'utf8',
    delimiter: ',',
    headers,
    format: 'mailchimp',
    mapping: ['email', 'first_name', 'last_name', 'field:address', 'field:phone', 'ignore', 'field:optin_time', 'field:optin_ip', 'field:confirm_time', 'field:confirm_ip', 'ignore', 'ignore', 'field:notes', 'tags'],
    options: { listIds: [weekly!.id], tagIds: [tag['Moved from Mailchimp']!], existing: 'update', newStatus: 'active', consentStatement: IMPORT_CONSENT },
    status: 'completed',
    headerBytes: 212,
    byteOffset: 96_412,
    rowsDone: importRows,
    imported: 480,
    updated: 0,
    skipped: 20,
    errored: 12,
    ...importActor,
    createdAt: new Date(importAt.getTime() - 120_000),
    startedAt: importAt,
    finishedAt: new Date(importAt.getTime() + 40_000),
    updatedAt: new Date(importAt.getTime() + 40_000),
  });
  const issues: (typeof importIssues.$inferInsert)[] = [];
  const issueRows = new Set<number>();
  while (issueRows.size < 32) issueRows.add(random.int(2, importRows));
  [...issueRows].sort((a, b) => a - b).forEach((row, i) => {
    const errored = i % 8 < 3 && issues.filter((x) => x.outcome === 'errored').length < 12;
    issues.push(
      errored
        ? { importId, rowNumber: row, line: row + 1, email: random.pick(['info@', 'john.doe@example', 'n/a', '']), outcome: 'errored', reason: 'not a valid email address' }
        : { importId, rowNumber: row, line: row + 1, email: `${random.pick(FIRST).toLowerCase()}@example.com`, outcome: 'skipped', reason: `same email as row ${Math.max(1, row - random.int(1, 200))}` },
    );
  });
  // Exactly the counts the import reports.
  while (issues.filter((x) => x.outcome === 'errored').length < 12) issues.find((x) => x.outcome === 'skipped')!.outcome = 'errored';
  await db.insert(importIssues).values(issues);
  await db.insert(consentRecords).values({ contactId: null, kind: 'import', statement: IMPORT_CONSENT, importId, listIds: [weekly!.id], ip: ip(random), actorKind: importActor.actorKind, actorId: importActor.actorId, occurredAt: importAt });

  // ---- segments ---------------------------------------------------------------------------
  const segmentDefs: { name: string; description: string; rules: SegmentRules; at: Date }[] = [
    { name: 'Engaged readers', description: 'Opened or clicked an email in the last 30 days', rules: { match: 'all', rules: [{ type: 'engagement', op: 'engaged', days: 30 }] }, at: ago(200) },
    {
      name: 'Guide readers who have not bought',
      description: 'Downloaded the pricing guide, no purchase yet: the launch audience',
      rules: { match: 'all', rules: [{ type: 'tag', op: 'has', tagId: tag['Pricing guide']! }, { type: 'purchase', op: 'not_has' }] },
      at: ago(150),
    },
    { name: 'New this month', description: 'Joined in the last 30 days', rules: { match: 'all', rules: [{ type: 'created', op: 'within_days', days: 30 }] }, at: ago(90) },
    {
      name: 'Sleeping subscribers',
      description: 'On the list for 90+ days, no open or click in 90 days: a re-engagement campaign',
      rules: { match: 'all', rules: [{ type: 'created', op: 'before_days', days: 90 }, { type: 'engagement', op: 'not_engaged', days: 90 }] },
      at: ago(60),
    },
    { name: 'VIP customers', description: 'Tagged VIP or bought something', rules: { match: 'any', rules: [{ type: 'tag', op: 'has', tagId: tag.VIP! }, { type: 'purchase', op: 'has' }] }, at: ago(30) },
  ];
  const segRows = await db
    .insert(segments)
    .values(segmentDefs.map((s) => ({ name: s.name, description: s.description, rules: s.rules, compiledSql: compileSegmentSql(s.rules), compilerVersion: SEGMENT_COMPILER_VERSION, createdAt: s.at, updatedAt: s.at })))
    .returning();
  for (const s of segRows) history.push({ occurredAt: s.createdAt, type: 'segment.created', ...staff, subjectType: 'segment', subjectId: s.id, data: { name: s.name } });

  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (let i = 0; i < history.length; i += 1000) await db.insert(events).values(withContactIds(history.slice(i, i + 1000)));

  ctx.shared.lists = { weeklyLetter: weekly!.id, productNews: product!.id };
  ctx.shared.segments = Object.fromEntries(segRows.map((s) => [s.name, s.id]));
  ctx.shared.forms = { weeklyLetter: weeklyForm!.id, pricingGuide: guideForm!.id };
}
