// A cookie-keeping client for server-rendered pages: posts forms the way a browser does
// (urlencoded, with the page's hidden CSRF field) and can follow redirects.
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './harness.js';

export class FormBrowser {
  cookies = new Map<string, string>();
  constructor(private readonly t: Pick<TestApp, 'server'>) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async go(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = form ? toForm(form) : undefined;
    const res = await this.t.server.inject({
      method,
      url,
      headers: { cookie: this.cookieHeader, accept: 'text/html', ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      payload: body,
    });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const k = pair!.slice(0, i);
      const v = pair!.slice(i + 1);
      if (v && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.set(k, v);
      else this.cookies.delete(k);
    }
    return res;
  }

  /** Follows 30x redirects (same site) and returns the final response. */
  async follow(res: LightMyRequestResponse, max = 6): Promise<LightMyRequestResponse> {
    let r = res;
    for (let i = 0; i < max && r.statusCode >= 300 && r.statusCode < 400; i++) {
      const loc = String(r.headers.location);
      const u = new URL(loc, 'http://127.0.0.1:3000');
      r = await this.go('GET', u.pathname + u.search);
    }
    return r;
  }

  static csrf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF field in page: ${html.slice(0, 300)}`);
    return m[1]!;
  }

  static field(html: string, name: string): string {
    const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!m) throw new Error(`no field ${name} in page`);
    return m[1]!.replace(/&amp;/g, '&');
  }
}

function toForm(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

/** The path and query of a URL (injected requests take paths). */
export function pathOf(url: string): string {
  const u = new URL(url, 'http://127.0.0.1:3000');
  return u.pathname + u.search;
}
