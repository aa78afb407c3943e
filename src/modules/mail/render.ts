// Broadcast content: Markdown (or blocks) with Liquid personalisation, compiled ONCE per
// broadcast into Liquid templates for the subject, the HTML and the plain text; each
// recipient then costs one template render and a few string replacements.
//
// Order matters: Liquid tags are set aside before Markdown and sanitising (which would
// mangle their quotes), restored afterwards, and every {{ output }} is HTML-escaped in the
// HTML part, so a contact's name can never inject markup.
import { Liquid, Tag, type FS, type Template } from 'liquidjs';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { emailShell, neutralLook, type EmailLook } from './layout.js';
import { invalid } from '../../errors.js';

export interface BroadcastContent {
  subject: string;
  preheader: string;
  format: 'markdown' | 'blocks';
  body: string;
  blocks?: Block[] | null;
}

export type Block =
  | { type: 'heading'; text: string }
  | { type: 'text'; markdown: string }
  | { type: 'button'; label: string; url: string }
  | { type: 'image'; src: string; alt: string; href?: string }
  | { type: 'divider' };

export interface RecipientContext {
  contact: { id: string; email: string; name: string; fields: Record<string, unknown> };
  unsubscribeUrl: string;
  preferencesUrl: string;
  /** null: tracking off */
  openUrl: string | null;
  /** the redirect for link n; null: tracking off */
  clickUrl: ((idx: number) => string) | null;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

export interface FooterSettings {
  businessName: string;
  postalAddress: string;
  /** why the person gets this mail, e.g. "You subscribed to Weekly tips." */
  reason: string;
  /** the business's brand (colour, logo, fonts); the neutral look without one */
  look?: EmailLook;
}

const LIQUID_RE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const PLACEHOLDER_RE = /LQX(\d+)XQL/g;
const CLICK_RE = /@@C(\d+)@@/g;
const OUR_URL_VARS = /^\{\{\s*(unsubscribe_url|preferences_url)\s*\}\}$/;

/**
 * Templates have no file system. liquidjs resolves `{% include %}`, `{% render %}` and
 * `{% layout %}` against the working directory by default, which let anyone who may preview a
 * broadcast read package.json, the source and the data folder. Those tags are refused when a
 * template is parsed (a clear validation error), and the engine's file system refuses every
 * read in case another path to it ever appears.
 */
const NO_FILES = 'Templates cannot read files: {% include %}, {% render %} and {% layout %} are not available in Onehour mail';
const refuse = (): never => {
  throw new Error(NO_FILES);
};
export const noFileSystem: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => refuse(),
  readFileSync: () => refuse(),
  resolve: () => refuse(),
  contains: async () => false,
  containsSync: () => false,
  fallback: () => undefined,
};
/** Every liquidjs tag that loads another template from a file. */
export const FILE_TAGS = ['include', 'render', 'layout'] as const;
class RefusedFileTag extends Tag {
  constructor(...args: ConstructorParameters<typeof Tag>) {
    super(...args);
    throw new Error(`{% ${args[0].name} %} is not available: ${NO_FILES}`);
  }
  *render(): Generator<unknown, void, unknown> {}
}

/**
 * A Liquid engine with the mail engine's safe settings: no file system (`include`, `render` and
 * `layout` refuse at parse time), own properties only. Every module that renders user-written
 * Liquid takes its engine from here. `strictFilters: false` lets an unknown filter pass the
 * value through (the automation's steps); `escape` HTML-escapes every output.
 */
export function safeLiquidEngine(opts: { escape?: boolean; strictFilters?: boolean } = {}): Liquid {
  const engine = new Liquid({
    outputEscape: opts.escape ? 'escape' : undefined,
    strictFilters: opts.strictFilters ?? true,
    ownPropertyOnly: true,
    cache: false,
    fs: noFileSystem,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
  });
  for (const name of FILE_TAGS) engine.registerTag(name, RefusedFileTag);
  // `raw` would let a contact's own field values through unescaped: it is just the value here.
  engine.registerFilter('raw', (v: unknown) => v);
  return engine;
}
const htmlEngine = safeLiquidEngine({ escape: true });
const textEngine = safeLiquidEngine();

/**
 * Renders a plain-text Liquid template with the mail engine's safe settings (no file system,
 * strict filters, own properties only). Other modules' templates (support's canned replies) use it.
 */
export async function renderSafeLiquidText(template: string, vars: Record<string, unknown>): Promise<string> {
  return String(await textEngine.parseAndRender(template, vars));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function protect(src: string, tags: string[]): string {
  return src.replace(LIQUID_RE, (m) => `LQX${tags.push(m) - 1}XQL`);
}

function restore(src: string, tags: string[]): string {
  return src.replace(PLACEHOLDER_RE, (_, i) => tags[Number(i)] ?? '');
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'h1', 'h2', 'h3', 'h4', 'del', 'ins', 'center'],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'], '*': ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
};

function markdownToHtml(md: string): string {
  return sanitizeHtml(marked.parse(md, { async: false, gfm: true, breaks: false }) as string, SANITIZE);
}

function markdownToText(md: string): string {
  return md
    .replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, '$1 ($2)')
    .replace(/^#{1,6}\s+(.*)$/gm, (_, h: string) => h.toUpperCase())
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function blocksToParts(blocks: Block[]): { html: string; md: string } {
  const html: string[] = [];
  const md: string[] = [];
  for (const b of blocks) {
    if (b.type === 'heading') {
      html.push(`<h2>${escapeHtml(b.text)}</h2>`);
      md.push(`## ${b.text}`);
    } else if (b.type === 'text') {
      html.push(markdownToHtml(b.markdown));
      md.push(b.markdown);
    } else if (b.type === 'button') {
      const href = sanitizeHtml(`<a href="${escapeHtml(b.url)}">x</a>`, SANITIZE).includes('href=') ? b.url : '#';
      html.push(
        `<p style="margin:24px 0"><a href="${escapeHtml(href)}" style="display:inline-block;background:#1f6feb;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${escapeHtml(b.label)}</a></p>`,
      );
      md.push(`[${b.label}](${href})`);
    } else if (b.type === 'image') {
      const img = sanitizeHtml(`<img src="${escapeHtml(b.src)}" alt="${escapeHtml(b.alt)}" />`, SANITIZE).replace('<img', '<img style="max-width:100%;height:auto"');
      html.push(b.href ? `<p><a href="${escapeHtml(b.href)}">${img}</a></p>` : `<p>${img}</p>`);
      md.push(b.alt ? `[${b.alt}]` : '');
    } else if (b.type === 'divider') {
      html.push('<hr />');
      md.push('---');
    }
  }
  return { html: html.join('\n'), md: md.join('\n\n') };
}

export class CompiledBroadcast {
  constructor(
    private readonly subject: Template[],
    private readonly html: Template[],
    private readonly text: Template[],
    /** every tracked link, by index */
    readonly links: string[],
  ) {}

  render(ctx: RecipientContext): RenderedMessage {
    const fields = ctx.contact.fields ?? {};
    const name = ctx.contact.name ?? '';
    const scope = {
      // An imported first name (fields.first_name) is the person's first name; the name's first word is only a guess.
      contact: { ...fields, fields, email: ctx.contact.email, name, first_name: String(fields.first_name ?? '').trim() || (name.split(/\s+/)[0] ?? '') },
      unsubscribe_url: ctx.unsubscribeUrl,
      preferences_url: ctx.preferencesUrl,
    };
    const subject = (textEngine.renderSync(this.subject, scope) as string).replace(/\s+/g, ' ').trim();
    let html = htmlEngine.renderSync(this.html, scope) as string;
    let text = textEngine.renderSync(this.text, scope) as string;
    // One signed redirect per link per message, however often the link appears.
    const click = ctx.clickUrl;
    const urls: string[] = [];
    const urlOf = (i: number) => (urls[i] ??= click ? click(i) : this.links[i]!);
    html = html.replace(CLICK_RE, (_, i) => escapeHtml(urlOf(Number(i))));
    text = text.replace(CLICK_RE, (_, i) => urlOf(Number(i)));
    html = html.replace('@@OPEN@@', ctx.openUrl ? `<img src="${escapeHtml(ctx.openUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px" />` : '');
    return { subject, html, text };
  }
}

/**
 * Compiles a broadcast. Throws a validation error naming the problem when the Liquid does
 * not parse, a link is personalised (a contact's field could become a javascript: URL), or
 * the footer would lack its postal address.
 */
export function compileBroadcast(content: BroadcastContent, footer: FooterSettings): CompiledBroadcast {
  if (!footer.postalAddress.trim()) {
    throw invalid('Add your postal address in the mail settings first: the law (CAN-SPAM, GDPR) requires it in every broadcast footer.', { field: 'postalAddress' });
  }
  const tags: string[] = [];
  let bodyHtml: string;
  let bodyMd: string;
  if (content.format === 'blocks' && content.blocks?.length) {
    // Each text field on its own: protecting the JSON text would keep JSON's escaping inside
    // the Liquid (a `default: "there"` would arrive as `default: \"there\"` and not parse).
    const protectedBlocks = content.blocks.map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? protect(v, tags) : v])) as Block);
    const parts = blocksToParts(protectedBlocks);
    bodyHtml = parts.html;
    bodyMd = parts.md;
  } else {
    bodyMd = protect(content.body, tags);
    bodyHtml = markdownToHtml(bodyMd);
  }

  // Number the links; a link whose address is Liquid (other than our own URLs) is refused.
  const links: string[] = [];
  const indexOf = (url: string) => {
    const at = links.indexOf(url);
    return at >= 0 ? at : links.push(url) - 1;
  };
  bodyHtml = bodyHtml.replace(/(<a\s[^>]*?href=")([^"]*)(")/g, (m, pre: string, href: string, post: string) => {
    if (PLACEHOLDER_RE.test(href)) {
      PLACEHOLDER_RE.lastIndex = 0;
      const restored = restore(href, tags);
      if (!OUR_URL_VARS.test(restored)) throw invalid('A link address cannot be personalised with Liquid (only {{ unsubscribe_url }} and {{ preferences_url }} can).', { field: 'body' });
      return m;
    }
    const url = href.replace(/&amp;/g, '&');
    return /^https?:\/\//i.test(url) ? `${pre}@@C${indexOf(url)}@@${post}` : m;
  });
  let bodyText = markdownToText(bodyMd).replace(/\((https?:\/\/[^)\s]+)\)/g, (m, url: string) => (links.includes(url) ? `(@@C${links.indexOf(url)}@@)` : m));

  const reasonHtml = escapeHtml(footer.reason).replace(/\{/g, '&#123;');
  const footerHtml =
    `<p style="margin:0 0 8px">${reasonHtml}</p>` +
    `<p style="margin:0 0 8px"><a href="{{ unsubscribe_url }}" style="color:#57606a">Unsubscribe</a> · <a href="{{ preferences_url }}" style="color:#57606a">Email preferences</a></p>`;
  const html = emailShell({
    look: { ...(footer.look ?? neutralLook), businessName: footer.businessName, postalAddress: footer.postalAddress },
    title: restore(escapeHtml(protect(content.subject, tags)), tags),
    rawTitle: true,
    preheader: restore(escapeHtml(protect(content.preheader, tags)), tags),
    bodyHtml: restore(bodyHtml, tags),
    footerHtml,
    tail: '@@OPEN@@',
  });
  bodyText = restore(bodyText, tags);
  const text =
    `${bodyText}\n\n-- \n${footer.reason}\nUnsubscribe: {{ unsubscribe_url }}\nEmail preferences: {{ preferences_url }}\n` +
    `{% raw %}${footer.businessName}\n${footer.postalAddress.trim()}{% endraw %}\n`;
  try {
    return new CompiledBroadcast(textEngine.parse(restore(protect(content.subject, tags), tags)), htmlEngine.parse(html), textEngine.parse(text), links);
  } catch (err) {
    throw invalid(`The personalisation does not parse: ${(err as Error).message.split('\n')[0]}`, { field: 'body' });
  }
}
