// A cookie jar for server-rendered pages: keeps cookies, posts forms the way a browser does
// (urlencoded, repeated keys for checkboxes), and reads hidden fields back out of the HTML.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class Browser {
  cookies = new Map<string, string>();
  constructor(
    private readonly server: FastifyInstance,
    /** sent as Origin on posts (a cross-site page posting to us sends its own) */
    private readonly origin?: string,
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async go(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const body = form ? new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString() : undefined;
    const res = await this.server.inject({
      method,
      url,
      headers: {
        ...(this.cookies.size ? { cookie: this.cookieHeader } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(method === 'POST' && this.origin ? { origin: this.origin } : {}),
      },
      payload: body,
    });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const k = pair!.slice(0, eq);
      const v = pair!.slice(eq + 1);
      if (v && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.set(k, v);
      else this.cookies.delete(k);
    }
    return res;
  }

  /** The value of a hidden input in a page. */
  static hidden(html: string, name: string): string {
    const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!m) throw new Error(`no hidden field ${name} in the page`);
    return m[1]!.replace(/&amp;/g, '&');
  }

  static csrf(html: string): string {
    return Browser.hidden(html, '_csrf');
  }
}

/** Text of a page without tags, entities decoded: what a person reads. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}
