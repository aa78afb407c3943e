// Opt-in forms: the hosted page /f/<slug>, an embeddable snippet, double opt-in with a signed
// expiring confirmation link, and an optional lead magnet delivered once the address is proven.
// Every submission keeps the words the person agreed to, the form, the IP and the time.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import sanitizeHtml from 'sanitize-html';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import { randomToken } from '../../crypto.js';
import { saveStream } from '../../files.js';
import type { Database, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { DomainError, conflict, invalid, notFound } from '../../errors.js';
import { contacts, forms, lists, tags, type FormField } from './schema.js';
import { cleanFields, emailProblem, type AudienceDeps, type Contact, type ContactWriter } from './contact-model.js';
import { FORM_SLUG_RE } from './contract.js';

export type Form = typeof forms.$inferSelect;

const CONFIRM_TTL_MS = 7 * 86_400_000;
const DOWNLOAD_TTL_MS = 7 * 86_400_000;
/** One confirmation mail per address per window: a form cannot be used to flood someone's inbox. */
const CONFIRM_RESEND_MS = 10 * 60_000;

export interface FormInput {
  slug: string;
  name: string;
  title: string;
  intro?: string;
  consentText: string;
  buttonLabel?: string;
  successMessage?: string;
  doubleOptIn?: boolean;
  askName?: 'hidden' | 'optional' | 'required';
  customFields?: FormField[];
  listIds?: string[];
  tagIds?: string[];
  embedAllowed?: boolean;
}

export interface SubmissionInput {
  email: string;
  name?: string;
  fields?: Record<string, string>;
  /** the hidden field people never see; bots fill it */
  honeypot?: string;
}

export type SubmissionResult =
  | { outcome: 'confirm_sent'; form: Form }
  | { outcome: 'subscribed'; form: Form; leadMagnetUrl: string | null }
  /** a bot filled the honeypot: it is shown the normal answer and nothing is stored */
  | { outcome: 'ignored'; form: Form };

/** A field-level problem the form page shows next to the field. */
export class FormInputError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('validation_failed', message, { field });
  }
}

/** Intro text: a few formatting tags and links, nothing that runs. */
export function sanitizeIntro(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'a', 'ul', 'ol', 'li', 'h2', 'h3', 'blockquote'],
    allowedAttributes: { a: ['href', 'rel', 'target'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
  });
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function safeFileName(name: string): string {
  const base = path.basename(name).replace(/[^\w.\- ]+/g, '_').trim().slice(0, 120);
  return base || 'download';
}

export class FormService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly audience: ContactWriter,
    private readonly deps: AudienceDeps,
  ) {}

  private get db() {
    return this.database.db;
  }

  // ---- admin -----------------------------------------------------------------------------

  async list(): Promise<(Form & { stats: FormStats })[]> {
    const rows = await this.db.select().from(forms).orderBy(asc(forms.createdAt));
    const stats = await this.stats();
    return rows.map((f) => ({ ...f, stats: stats.get(f.id) ?? { submissions: 0, confirmations: 0 } }));
  }

  /** Submissions and confirmations per form, from the consent evidence. */
  private async stats(formId?: string): Promise<Map<string, FormStats>> {
    const rows = (
      await this.db.execute(sql`
        select form_id as "formId",
               count(*) filter (where kind = 'form') as submissions,
               count(*) filter (where kind = 'confirmed') as confirmations
          from consent_records where form_id is not null ${formId ? sql`and form_id = ${formId}` : sql``}
         group by form_id`)
    ) as unknown as { rows: { formId: string; submissions: number; confirmations: number }[] };
    return new Map(rows.rows.map((r) => [r.formId, { submissions: r.submissions, confirmations: r.confirmations }]));
  }

  async get(id: string): Promise<Form & { stats: FormStats }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Form');
    const [row] = await this.db.select().from(forms).where(eq(forms.id, id));
    if (!row) throw notFound('Form');
    return { ...row, stats: (await this.stats(id)).get(id) ?? { submissions: 0, confirmations: 0 } };
  }

  /** Every form, archived ones too (a page may still embed one), without statistics. */
  async all(): Promise<Form[]> {
    return this.db.select().from(forms).orderBy(asc(forms.name));
  }

  /** The live form behind a public slug (archived forms are gone from the public site). */
  async bySlug(slug: string): Promise<Form> {
    const [row] = await this.db
      .select()
      .from(forms)
      .where(and(eq(forms.slug, slug.toLowerCase()), isNull(forms.archivedAt)));
    if (!row) throw notFound('This form');
    return row;
  }

  private async validate(tx: Tx, input: Partial<FormInput>, id?: string): Promise<void> {
    if (input.slug !== undefined) {
      if (!FORM_SLUG_RE.test(input.slug)) throw invalid('The address may use lower-case letters, digits and dashes (e.g. weekly-letter)', { field: 'slug' });
      const [clash] = await tx.select({ id: forms.id }).from(forms).where(eq(forms.slug, input.slug));
      if (clash && clash.id !== id) throw conflict(`Another form already lives at /f/${input.slug}`);
    }
    if (input.listIds?.length) {
      const found = await tx.select({ id: lists.id }).from(lists).where(sql`${lists.id} = any(${sql.param(input.listIds)}::uuid[])`);
      if (found.length !== new Set(input.listIds).size) throw invalid('One of the lists does not exist', { field: 'listIds' });
    }
    if (input.tagIds?.length) {
      const found = await tx.select({ id: tags.id }).from(tags).where(sql`${tags.id} = any(${sql.param(input.tagIds)}::uuid[])`);
      if (found.length !== new Set(input.tagIds).size) throw invalid('One of the tags does not exist', { field: 'tagIds' });
    }
    const keys = new Set<string>();
    for (const f of input.customFields ?? []) {
      if (keys.has(f.key)) throw invalid(`The field "${f.key}" is listed twice`, { field: 'customFields' });
      if (f.key === 'email' || f.key === 'name') throw invalid(`"${f.key}" is built in; choose another key`, { field: 'customFields' });
      keys.add(f.key);
    }
  }

  async create(input: FormInput, actor: Actor): Promise<Form> {
    return this.database.transaction(async (tx) => {
      await this.validate(tx, input);
      const now = this.clock.now();
      const [row] = await tx
        .insert(forms)
        .values({
          slug: input.slug,
          name: input.name.trim(),
          title: input.title.trim(),
          intro: sanitizeIntro(input.intro ?? ''),
          consentText: input.consentText.trim(),
          buttonLabel: input.buttonLabel?.trim() || 'Subscribe',
          successMessage: input.successMessage?.trim() ?? '',
          doubleOptIn: input.doubleOptIn ?? true,
          askName: input.askName ?? 'optional',
          customFields: input.customFields ?? [],
          listIds: input.listIds ?? [],
          tagIds: input.tagIds ?? [],
          embedAllowed: input.embedAllowed ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await this.events.recordInTx(tx, { type: 'form.created', actor, subject: { type: 'form', id: row!.id }, data: { slug: row!.slug, doubleOptIn: row!.doubleOptIn } });
      await this.deps.onFormsChangedInTx?.(tx);
      return row!;
    });
  }

  async update(id: string, input: Partial<FormInput> & { archived?: boolean }, actor: Actor): Promise<Form> {
    return this.database.transaction(async (tx) => {
      await this.validate(tx, input, id);
      const set: Partial<typeof forms.$inferInsert> = { updatedAt: this.clock.now() };
      if (input.slug !== undefined) set.slug = input.slug;
      if (input.name !== undefined) set.name = input.name.trim();
      if (input.title !== undefined) set.title = input.title.trim();
      if (input.intro !== undefined) set.intro = sanitizeIntro(input.intro);
      if (input.consentText !== undefined) set.consentText = input.consentText.trim();
      if (input.buttonLabel !== undefined) set.buttonLabel = input.buttonLabel.trim() || 'Subscribe';
      if (input.successMessage !== undefined) set.successMessage = input.successMessage.trim();
      if (input.doubleOptIn !== undefined) set.doubleOptIn = input.doubleOptIn;
      if (input.askName !== undefined) set.askName = input.askName;
      if (input.customFields !== undefined) set.customFields = input.customFields;
      if (input.listIds !== undefined) set.listIds = input.listIds;
      if (input.tagIds !== undefined) set.tagIds = input.tagIds;
      if (input.embedAllowed !== undefined) set.embedAllowed = input.embedAllowed;
      if (input.archived !== undefined) set.archivedAt = input.archived ? this.clock.now() : null;
      const [row] = await tx.update(forms).set(set).where(eq(forms.id, id)).returning();
      if (!row) throw notFound('Form');
      await this.events.recordInTx(tx, {
        type: input.archived === true ? 'form.archived' : 'form.updated',
        actor,
        subject: { type: 'form', id },
        data: { changed: Object.keys(input) },
      });
      await this.deps.onFormsChangedInTx?.(tx);
      return row;
    });
  }

  private leadMagnetDir(formId: string): string {
    return path.join(this.deps.settings.dataDir, 'forms', formId);
  }

  /** Stores the lead-magnet file (streamed to disk, size-capped) and attaches it to the form. */
  async attachLeadMagnet(id: string, file: { name: string; type: string; stream: Readable }, actor: Actor): Promise<Form> {
    const form = await this.get(id);
    const dir = this.leadMagnetDir(form.id);
    fs.mkdirSync(dir, { recursive: true });
    const stored = `${randomToken(8)}-${safeFileName(file.name)}`;
    const target = path.join(dir, stored);
    const max = this.deps.settings.leadMagnetMaxBytes;
    const size = await saveStream(file.stream, target, { maxBytes: max, tooLarge: (m) => `The file is larger than ${Math.round(m / 1_048_576)} MB` });
    if (size === 0) {
      fs.rmSync(target, { force: true });
      throw invalid('The file is empty');
    }
    const row = await this.database.transaction(async (tx) => {
      const [updated] = await tx
        .update(forms)
        .set({ leadMagnetFile: stored, leadMagnetName: safeFileName(file.name), leadMagnetType: file.type || 'application/octet-stream', leadMagnetSize: size, updatedAt: this.clock.now() })
        .where(eq(forms.id, id))
        .returning();
      await this.events.recordInTx(tx, { type: 'form.lead_magnet_attached', actor, subject: { type: 'form', id }, data: { name: updated!.leadMagnetName, size } });
      return updated!;
    });
    if (form.leadMagnetFile && form.leadMagnetFile !== stored) fs.rmSync(path.join(dir, form.leadMagnetFile), { force: true });
    return row;
  }

  async removeLeadMagnet(id: string, actor: Actor): Promise<Form> {
    const form = await this.get(id);
    const row = await this.database.transaction(async (tx) => {
      const [updated] = await tx
        .update(forms)
        .set({ leadMagnetFile: null, leadMagnetName: null, leadMagnetType: null, leadMagnetSize: null, updatedAt: this.clock.now() })
        .where(eq(forms.id, id))
        .returning();
      await this.events.recordInTx(tx, { type: 'form.lead_magnet_removed', actor, subject: { type: 'form', id } });
      return updated!;
    });
    if (form.leadMagnetFile) fs.rmSync(path.join(this.leadMagnetDir(id), form.leadMagnetFile), { force: true });
    return row;
  }

  hostedUrl(form: Pick<Form, 'slug'>): string {
    return `${this.deps.settings.publicUrl}/f/${form.slug}`;
  }

  /** A plain HTML form to paste into any site: no script, posts to /f/<slug>/embed. */
  embedSnippet(form: Form): string {
    const id = `oh-${form.slug}`;
    const lines = [
      `<form method="post" action="${escapeHtml(`${this.hostedUrl(form)}/embed`)}" accept-charset="UTF-8" class="onehour-form">`,
    ];
    if (form.askName !== 'hidden') {
      lines.push(`  <label for="${id}-name">Name</label>`);
      lines.push(`  <input id="${id}-name" type="text" name="name" autocomplete="name"${form.askName === 'required' ? ' required' : ''}>`);
    }
    lines.push(`  <label for="${id}-email">Email</label>`);
    lines.push(`  <input id="${id}-email" type="email" name="email" autocomplete="email" required>`);
    for (const f of form.customFields) {
      lines.push(`  <label for="${id}-${escapeHtml(f.key)}">${escapeHtml(f.label)}</label>`);
      lines.push(`  <input id="${id}-${escapeHtml(f.key)}" type="text" name="field_${escapeHtml(f.key)}"${f.required ? ' required' : ''}>`);
    }
    lines.push(`  <div style="position:absolute;left:-5000px" aria-hidden="true"><input type="text" name="website" tabindex="-1" autocomplete="off"></div>`);
    lines.push(`  <p><small>${escapeHtml(form.consentText)}</small></p>`);
    lines.push(`  <button type="submit">${escapeHtml(form.buttonLabel)}</button>`);
    lines.push(`</form>`);
    return lines.join('\n');
  }

  // ---- public ----------------------------------------------------------------------------

  /**
   * A form submission by a visitor. New addresses are created unconfirmed (double opt-in) or
   * active (single opt-in). A double opt-in form, or an address that had left or bounced,
   * gets a confirmation mail first; nothing is joined until the link is followed.
   */
  async submit(form: Form, input: SubmissionInput, meta: { ip?: string; userAgent?: string }): Promise<SubmissionResult> {
    if (input.honeypot && input.honeypot.trim() !== '') return { outcome: 'ignored', form };
    const problem = emailProblem(input.email);
    if (problem) throw new FormInputError('email', problem);
    const name = (input.name ?? '').trim();
    if (form.askName === 'required' && !name) throw new FormInputError('name', 'Enter your name.');
    const fields: Record<string, string> = {};
    for (const f of form.customFields) {
      const v = (input.fields?.[f.key] ?? '').trim();
      if (f.required && !v) throw new FormInputError(`field_${f.key}`, `Fill in “${f.label}”.`);
      if (v) fields[f.key] = v.slice(0, 500);
    }
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const { contact, created } = await this.audience.upsertContact(tx, {
        email: input.email,
        name: form.askName === 'hidden' ? undefined : name,
        fields: cleanFields(fields),
        source: `form:${form.id}`,
        status: form.doubleOptIn ? 'unconfirmed' : 'active',
      });
      const actor: Actor = { kind: 'customer', id: contact.id, label: contact.email };
      await this.audience.recordConsent(tx, {
        contactId: contact.id,
        kind: 'form',
        statement: form.consentText,
        formId: form.id,
        listIds: form.listIds,
        ip: meta.ip,
        userAgent: meta.userAgent,
        actor,
      });
      if (created) await this.events.recordInTx(tx, { type: 'contact.created', actor, subject: { type: 'contact', id: contact.id }, data: { source: contact.source } });
      if (form.doubleOptIn || contact.status !== 'active') {
        await this.sendConfirmation(tx, form, contact, now);
        return { outcome: 'confirm_sent', form } as const;
      }
      const joined = await this.audience.subscribeToListsInTx(tx, { contactId: contact.id, listIds: form.listIds, actor, via: 'form', formId: form.id, recordEvent: false });
      if (form.tagIds.length) await this.audience.tagContactInTx(tx, contact.id, form.tagIds, actor);
      if (created || joined.length) {
        await this.events.recordInTx(tx, { type: 'contact.subscribed', actor, subject: { type: 'contact', id: contact.id }, data: { listIds: joined, via: 'form', formId: form.id, confirmed: false } });
      }
      const leadMagnetUrl = await this.deliverLeadMagnet(tx, form, contact, now);
      return { outcome: 'subscribed', form, leadMagnetUrl } as const;
    });
  }

  private confirmUrl(form: Form, contactId: string, now: Date): string {
    const token = this.deps.signer.sign('confirm', `${contactId}:${form.id}`, new Date(now.getTime() + CONFIRM_TTL_MS));
    return `${this.deps.settings.publicUrl}/f/confirm?token=${token}`;
  }

  private async sendConfirmation(tx: Tx, form: Form, contact: Contact, now: Date): Promise<void> {
    if (contact.confirmationSentAt && now.getTime() - contact.confirmationSentAt.getTime() < CONFIRM_RESEND_MS) return;
    await tx.update(contacts).set({ confirmationSentAt: now }).where(eq(contacts.id, contact.id));
    const link = this.confirmUrl(form, contact.id, now);
    await this.deps.mailer.queueInTx(tx, {
      to: contact.email,
      contactId: contact.id,
      tag: 'audience.confirm',
      subject: `Please confirm your subscription: ${form.title}`,
      text:
        `Hello${contact.name ? ` ${contact.name}` : ''},\n\n` +
        `Please confirm that you want to receive “${form.title}” by opening this link:\n\n${link}\n\n` +
        `The link works for 7 days. If you did not sign up, ignore this email: you will not hear from us again.`,
      html:
        `<p>Hello${contact.name ? ` ${escapeHtml(contact.name)}` : ''},</p>` +
        `<p>Please confirm that you want to receive “${escapeHtml(form.title)}”.</p>` +
        `<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:12px 20px;background:#0b5cad;color:#fff;border-radius:8px;text-decoration:none">Yes, subscribe me</a></p>` +
        `<p style="color:#57606a">The link works for 7 days. If you did not sign up, ignore this email: you will not hear from us again.</p>`,
    });
    await this.events.recordInTx(tx, {
      type: 'contact.opt_in_requested',
      actor: { kind: 'customer', id: contact.id, label: contact.email },
      subject: { type: 'contact', id: contact.id },
      data: { formId: form.id },
    });
  }

  /** The contact and form a confirmation link names, or an invalid_token error. */
  parseConfirmToken(token: string): { contactId: string; formId: string } {
    const data = this.deps.signer.verify('confirm', token, this.clock.now());
    const m = data ? /^([0-9a-f-]{36}):([0-9a-f-]{36})$/.exec(data) : null;
    if (!m) throw new DomainError('invalid_token', 'This confirmation link has expired or is not valid. Sign up again to get a new one.');
    return { contactId: m[1]!, formId: m[2]! };
  }

  /**
   * Double opt-in, second step: the person pressed the button behind their confirmation link.
   * The address becomes active and joins the form's lists and tags; following the link again
   * changes nothing.
   */
  async confirm(token: string, meta: { ip?: string; userAgent?: string }): Promise<{ form: Form; contact: Contact; already: boolean; leadMagnetUrl: string | null }> {
    const { contactId, formId } = this.parseConfirmToken(token);
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for('update');
      const [form] = await tx.select().from(forms).where(eq(forms.id, formId));
      if (!contact || !form) throw new DomainError('invalid_token', 'This confirmation link is no longer valid. Sign up again to get a new one.');
      const actor: Actor = { kind: 'customer', id: contact.id, label: contact.email };
      const wasActive = contact.status === 'active';
      let row = contact;
      if (!wasActive) {
        [row] = await tx.update(contacts).set({ status: 'active', confirmedAt: now, updatedAt: now }).where(eq(contacts.id, contactId)).returning() as [Contact];
        if (contact.status !== 'unconfirmed') {
          await this.events.recordInTx(tx, { type: 'contact.status_changed', actor, subject: { type: 'contact', id: contactId }, data: { from: contact.status, to: 'active', via: 'confirmation' } });
        }
      } else if (!contact.confirmedAt) {
        [row] = await tx.update(contacts).set({ confirmedAt: now }).where(eq(contacts.id, contactId)).returning() as [Contact];
      }
      const joined = await this.audience.subscribeToListsInTx(tx, { contactId, listIds: form.listIds, actor, via: 'form', formId, recordEvent: false });
      const tagged = form.tagIds.length ? await this.audience.tagContactInTx(tx, contactId, form.tagIds, actor) : 0;
      if (wasActive && joined.length === 0 && tagged === 0) {
        return { form, contact: row, already: true, leadMagnetUrl: this.leadMagnetUrl(form, contactId, now) };
      }
      await this.audience.recordConsent(tx, { contactId, kind: 'confirmed', statement: form.consentText, formId, listIds: form.listIds, ip: meta.ip, userAgent: meta.userAgent, actor });
      await this.events.recordInTx(tx, { type: 'contact.confirmed', actor, subject: { type: 'contact', id: contactId }, data: { formId } });
      await this.events.recordInTx(tx, { type: 'contact.subscribed', actor, subject: { type: 'contact', id: contactId }, data: { listIds: joined, via: 'form', formId, confirmed: true } });
      const leadMagnetUrl = await this.deliverLeadMagnet(tx, form, row, now);
      return { form, contact: row, already: false, leadMagnetUrl };
    });
  }

  private leadMagnetUrl(form: Form, contactId: string, now: Date): string | null {
    if (!form.leadMagnetFile) return null;
    const token = this.deps.signer.sign('lead-magnet', `${form.id}:${contactId}`, new Date(now.getTime() + DOWNLOAD_TTL_MS));
    return `${this.deps.settings.publicUrl}/f/${form.slug}/download?token=${token}`;
  }

  /** Mails the lead-magnet link (and returns it for the thank-you page). */
  private async deliverLeadMagnet(tx: Tx, form: Form, contact: Contact, now: Date): Promise<string | null> {
    const url = this.leadMagnetUrl(form, contact.id, now);
    if (!url) return null;
    await this.deps.mailer.queueInTx(tx, {
      to: contact.email,
      contactId: contact.id,
      tag: 'audience.lead_magnet',
      subject: `Your download: ${form.leadMagnetName}`,
      text: `Thank you for subscribing to “${form.title}”.\n\nHere is your download (${form.leadMagnetName}):\n${url}\n\nThe link works for 7 days.`,
      html: `<p>Thank you for subscribing to “${escapeHtml(form.title)}”.</p><p><a href="${escapeHtml(url)}">Download ${escapeHtml(form.leadMagnetName ?? 'your file')}</a></p><p style="color:#57606a">The link works for 7 days.</p>`,
    });
    return url;
  }

  /** The file behind a signed download link. */
  async openLeadMagnet(slug: string, token: string): Promise<{ path: string; name: string; type: string; size: number }> {
    const data = this.deps.signer.verify('lead-magnet', token, this.clock.now());
    const m = data ? /^([0-9a-f-]{36}):([0-9a-f-]{36})$/.exec(data) : null;
    if (!m) throw new DomainError('invalid_token', 'This download link has expired. Sign up again to get a fresh one.');
    const [form] = await this.db.select().from(forms).where(eq(forms.id, m[1]!));
    if (!form || form.slug !== slug || !form.leadMagnetFile) throw notFound('This download');
    const file = path.join(this.leadMagnetDir(form.id), form.leadMagnetFile);
    if (!fs.existsSync(file)) throw notFound('This download');
    await this.database.transaction((tx) =>
      this.events.recordInTx(tx, { type: 'form.lead_magnet_downloaded', actor: { kind: 'customer', id: m[2]! }, subject: { type: 'form', id: form.id }, data: { contactId: m[2]! } }),
    );
    return { path: file, name: form.leadMagnetName ?? 'download', type: form.leadMagnetType ?? 'application/octet-stream', size: form.leadMagnetSize ?? fs.statSync(file).size };
  }
}

export interface FormStats {
  submissions: number;
  confirmations: number;
}
