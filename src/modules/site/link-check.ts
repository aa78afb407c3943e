// The site's own link check: starts at the store, follows every same-origin link a visitor can
// reach, and tries every form the way a browser would (fields filled, hidden token sent, the
// bot trap left empty). It reports dead links (4xx/5xx) and dead forms (a post that fails, an
// opt-in block whose form is gone). The test suite runs it on the demo business so that lead
// capture cannot break silently; the owner's broken-link job can run it on the live site with
// `submitForms: false`, so that no contact or order is created by the check itself.
//
// It talks HTTP through a `SiteRequester` (Fastify's inject in tests and in-process jobs, fetch
// against the public URL elsewhere), so it sees exactly what a visitor's browser sees.
import { DomUtils, parseDocument } from 'htmlparser2';

export interface SiteRequest {
  method: 'GET' | 'POST';
  /** path and query on this site */
  path: string;
  headers: Record<string, string>;
  /** urlencoded form body */
  body?: string;
}

export interface SiteResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

export type SiteRequester = (req: SiteRequest) => Promise<SiteResponse>;

/** Requests answered in-process by the app's own HTTP server (Fastify's `inject`): no network. */
export function injectRequester(server: {
  inject(opts: { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: string }): Promise<{ statusCode: number; headers: SiteResponse['headers']; body: string }>;
}): SiteRequester {
  return async (r) => {
    const res = await server.inject({ method: r.method, url: r.path, headers: r.headers, payload: r.body });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  };
}

export interface DeadLink {
  /** the page that links to it */
  from: string;
  href: string;
  status: number;
}

export interface DeadForm {
  page: string;
  action: string;
  /** the answer's status (0 when the form could not be tried at all) */
  status: number;
  problem: string;
}

export interface FormSubmission {
  page: string;
  action: string;
  /** the address the check typed into the form's email field, if it has one */
  email: string | null;
  status: number;
  /** where the answer ended after redirects */
  landedOn: string;
}

export interface LinkCheckReport {
  /** every page visited, in order */
  pages: string[];
  deadLinks: DeadLink[];
  deadForms: DeadForm[];
  /** the forms that were posted (with submitForms) */
  submissions: FormSubmission[];
}

export interface LinkCheckOptions {
  /** the site's public origin (absolute links to it count as same-origin) */
  origin: string;
  /** where to start; the store by default */
  start?: string;
  /** post every form (true in tests); false only checks that each form's address answers */
  submitForms?: boolean;
  /** the address typed into the n-th form's email field */
  emailFor?: (n: number) => string;
  /** stop after this many pages (a safety net for very large sites) */
  maxPages?: number;
}

/** Paths that are not visitor pages: the admin app, the JSON API, webhooks. */
const NOT_PAGES = /^\/(?:admin|api|webhooks)(?:\/|$)/;
const MAX_REDIRECTS = 6;

type Node = ReturnType<typeof DomUtils.findAll>[number];

export async function checkSiteLinks(request: SiteRequester, opts: LinkCheckOptions): Promise<LinkCheckReport> {
  const origin = new URL(opts.origin).origin;
  const cookies = new Map<string, string>();
  const report: LinkCheckReport = { pages: [], deadLinks: [], deadForms: [], submissions: [] };
  const seen = new Set<string>();
  const checkedAssets = new Map<string, number>();
  const queue: { path: string; from: string }[] = [{ path: opts.start ?? '/', from: '(start)' }];
  const submitted = new Set<string>();
  let formCount = 0;
  const emailFor = opts.emailFor ?? ((n: number) => `link-check+${n}@example.com`);

  const send = async (req: Omit<SiteRequest, 'headers'> & { headers?: Record<string, string> }): Promise<SiteResponse> => {
    const headers: Record<string, string> = { accept: 'text/html', ...(req.headers ?? {}) };
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (req.method === 'POST') {
      headers.origin = origin;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await request({ method: req.method, path: req.path, headers, body: req.body });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : typeof set === 'string' ? [set] : []) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      if (eq < 1) continue;
      const k = pair!.slice(0, eq).trim();
      const v = pair!.slice(eq + 1).trim();
      if (v && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) cookies.set(k, v);
      else cookies.delete(k);
    }
    return res;
  };

  /** GETs (or POSTs) and follows same-origin redirects; the last answer and where it was. */
  const fetchFollowing = async (first: Omit<SiteRequest, 'headers'>): Promise<{ res: SiteResponse; at: string }> => {
    let res = await send(first);
    let at = first.path;
    for (let i = 0; i < MAX_REDIRECTS && res.status >= 300 && res.status < 400 && res.headers.location; i++) {
      const next = sameOrigin(String(res.headers.location), at, origin);
      if (!next) break;
      at = next;
      res = await send({ method: 'GET', path: next });
    }
    return { res, at };
  };

  while (queue.length && report.pages.length < (opts.maxPages ?? 500)) {
    const { path, from } = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const { res, at } = await fetchFollowing({ method: 'GET', path });
    if (res.status >= 400) {
      report.deadLinks.push({ from, href: path, status: res.status });
      continue;
    }
    seen.add(at);
    report.pages.push(at);
    if (!/text\/html/.test(String(res.headers['content-type'] ?? ''))) continue;
    const doc = parseDocument(res.body);

    for (const a of DomUtils.getElementsByTagName('a', doc)) {
      const target = sameOrigin(DomUtils.getAttributeValue(a as never, 'href') ?? '', at, origin);
      if (target && !NOT_PAGES.test(target) && !seen.has(target)) queue.push({ path: target, from: at });
    }
    // Stylesheets and images the page loads: checked, not crawled.
    const assets = [
      ...DomUtils.getElementsByTagName('link', doc).filter((l) => /stylesheet|icon/.test(DomUtils.getAttributeValue(l as never, 'rel') ?? '')).map((l) => DomUtils.getAttributeValue(l as never, 'href')),
      ...DomUtils.getElementsByTagName('img', doc).map((i) => DomUtils.getAttributeValue(i as never, 'src')),
    ];
    for (const href of assets) {
      const target = sameOrigin(href ?? '', at, origin);
      if (!target) continue;
      let status = checkedAssets.get(target);
      if (status === undefined) {
        status = (await send({ method: 'GET', path: target, headers: { accept: '*/*' } })).status;
        checkedAssets.set(target, status);
      }
      if (status >= 400) report.deadLinks.push({ from: at, href: target, status });
    }

    // An opt-in block whose form was archived or deleted says so instead of showing a form.
    for (const gone of DomUtils.findAll((el) => DomUtils.getAttributeValue(el, 'data-form-unavailable') !== undefined, doc.children)) {
      report.deadForms.push({ page: at, action: '', status: 0, problem: `${DomUtils.textContent(gone).trim()} (an opt-in block on this page has no live form)` });
    }

    for (const form of DomUtils.getElementsByTagName('form', doc)) {
      const method = (DomUtils.getAttributeValue(form as never, 'method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
      const action = sameOrigin(DomUtils.getAttributeValue(form as never, 'action') ?? at, at, origin);
      if (!action) continue; // posts to another site: not ours to check
      const key = `${method} ${action}`;
      if (submitted.has(key)) continue;
      submitted.add(key);
      if (!opts.submitForms) {
        const probe = await send({ method: 'GET', path: action });
        if (probe.status === 404 || probe.status === 410) report.deadForms.push({ page: at, action, status: probe.status, problem: 'the form posts to an address that does not exist' });
        continue;
      }
      const n = ++formCount;
      const { fields, email } = fillForm(form as Node, emailFor(n));
      const body = new URLSearchParams(fields).toString();
      const { res: answer, at: landedOn } =
        method === 'POST' ? await fetchFollowing({ method: 'POST', path: action, body }) : await fetchFollowing({ method: 'GET', path: `${action.split('?')[0]}?${body}` });
      report.submissions.push({ page: at, action, email, status: answer.status, landedOn });
      if (answer.status >= 400) report.deadForms.push({ page: at, action, status: answer.status, problem: firstMessage(answer.body) });
    }
  }
  return report;
}

/**
 * The fields a browser would send when a person fills the form and presses its first button:
 * hidden fields as they are, text fields filled, checked boxes, the first option of a select;
 * the bot trap (a field hidden from people with aria-hidden) stays empty, as a person leaves it.
 */
function fillForm(form: Node, email: string): { fields: [string, string][]; email: string | null } {
  const fields: [string, string][] = [];
  let usedEmail: string | null = null;
  let button: [string, string] | null = null;
  const controls = DomUtils.findAll((el) => ['input', 'select', 'textarea', 'button'].includes(el.name), [form as never]);
  for (const el of controls) {
    const attr = (n: string) => DomUtils.getAttributeValue(el, n);
    const name = attr('name');
    if (el.name === 'button') {
      if (!button && (attr('type') ?? 'submit') === 'submit') button = name ? [name, attr('value') ?? ''] : ['', ''];
      continue;
    }
    if (!name || attr('disabled') !== undefined) continue;
    if (el.name === 'select') {
      const options = DomUtils.getElementsByTagName('option', el);
      const chosen = options.find((o) => DomUtils.getAttributeValue(o as never, 'selected') !== undefined) ?? options[0];
      if (chosen) fields.push([name, DomUtils.getAttributeValue(chosen as never, 'value') ?? DomUtils.textContent(chosen).trim()]);
      continue;
    }
    if (el.name === 'textarea') {
      fields.push([name, DomUtils.textContent(el) || (attr('required') !== undefined ? 'Sent by the site link check' : '')]);
      continue;
    }
    const type = (attr('type') ?? 'text').toLowerCase();
    const value = attr('value') ?? '';
    if (type === 'submit') {
      if (!button) button = [name, value];
      continue;
    }
    if (type === 'checkbox' || type === 'radio') {
      if (attr('checked') !== undefined) fields.push([name, value || 'on']);
      continue;
    }
    if (type === 'hidden' || type === 'file' || type === 'image' || type === 'reset') {
      if (type === 'hidden') fields.push([name, value]);
      continue;
    }
    if (hiddenFromPeople(el)) {
      fields.push([name, '']); // the bot trap: a person never sees it, so never fills it
      continue;
    }
    if (value) {
      fields.push([name, value]);
    } else if (type === 'email' || /email/i.test(name)) {
      usedEmail = email;
      fields.push([name, email]);
    } else if (name === 'name' || /name/i.test(attr('autocomplete') ?? '')) {
      fields.push([name, 'Link Check']);
    } else if (type === 'password') {
      fields.push([name, '']);
    } else if (type === 'number') {
      fields.push([name, attr('min') ?? '1']);
    } else {
      fields.push([name, attr('required') !== undefined ? 'Link check' : '']);
    }
  }
  if (button && button[0]) fields.push(button);
  return { fields, email: usedEmail };
}

function hiddenFromPeople(el: Node): boolean {
  for (let n: Node | null = el; n; n = (n.parent as Node | null) ?? null) {
    if ('attribs' in n && n.attribs && (n.attribs['aria-hidden'] === 'true' || n.attribs.hidden !== undefined)) return true;
  }
  return false;
}

/** A same-origin path (with query, without fragment), or null for other sites and other schemes. */
function sameOrigin(href: string, base: string, origin: string): string | null {
  const h = href.trim();
  if (!h || h.startsWith('#') || /^(?:mailto|tel|javascript|data):/i.test(h)) return null;
  let u: URL;
  try {
    u = new URL(h, new URL(base, origin));
  } catch {
    return null;
  }
  if (u.origin !== origin) return null;
  return u.pathname + u.search;
}

/** The first error message of a page, for the report (role=alert, else the title). */
function firstMessage(html: string): string {
  try {
    const doc = parseDocument(html);
    const alert = DomUtils.findOne((el) => DomUtils.getAttributeValue(el, 'role') === 'alert', doc.children);
    if (alert) return DomUtils.textContent(alert).trim().slice(0, 300);
    const title = DomUtils.getElementsByTagName('title', doc)[0];
    if (title) return DomUtils.textContent(title).trim().slice(0, 300);
  } catch {
    // not HTML: fall through
  }
  return html.slice(0, 200);
}
