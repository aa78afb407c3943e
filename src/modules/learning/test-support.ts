// Helpers for the learning tests: a student's browser (cookie jar + form posts), multipart
// uploads, and a small course built through the staff API.
import type { LightMyRequestResponse } from 'fastify';
import type { Client, TestApp } from '../../../test/support/harness.js';

export class StudentBrowser {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly t: TestApp) {}

  static async signIn(t: TestApp, email: string, name = ''): Promise<StudentBrowser & { contactId: string }> {
    const { contact } = await t.app.audience.upsertContact(t.app.db, { email, name, source: 'test' });
    const { token, session } = await t.app.portal.openSession(t.app.db, contact);
    const b = new StudentBrowser(t) as StudentBrowser & { contactId: string };
    b.cookies.set('oh_customer', token);
    b.csrf = session.csrfToken;
    b.contactId = contact.id;
    return b;
  }

  private get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.t.server.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader, accept: 'text/html', ...headers } });
  }

  /** Posts a form the way the page does, with the session's CSRF token. */
  async post(url: string, form: Record<string, string | string[]> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.t.server.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: body.toString(),
    });
  }
}

export function multipartBody(field: string, filename: string, contentType: string, data: Buffer) {
  const boundary = `----onehour${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function upload(t: TestApp, staff: Client, method: 'POST' | 'PUT', url: string, filename: string, contentType: string, data: Buffer) {
  const { payload, headers } = multipartBody('file', filename, contentType, data);
  return t.server.inject({ method, url, payload, headers: { ...headers, cookie: staff.cookie, 'x-csrf-token': staff.csrf } });
}

export function expectOk(res: LightMyRequestResponse, status = 200): any {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
  return res.headers['content-type']?.toString().includes('json') ? res.json() : res.body;
}

/** A published course: module 1 with lessons as given, through the staff API. */
export async function buildCourse(
  staff: Client,
  opts: { title: string; slug?: string; lessons: { title: string; bodyMarkdown?: string; drip?: unknown }[]; status?: 'draft' | 'published' },
) {
  const course = expectOk(await staff.post('/api/learning/courses', { title: opts.title, slug: opts.slug, status: opts.status ?? 'published' }), 201);
  const mod = expectOk(await staff.post(`/api/learning/courses/${course.id}/modules`, { title: 'Getting started' }), 201);
  const lessons = [];
  for (const l of opts.lessons) lessons.push(expectOk(await staff.post(`/api/learning/modules/${mod.id}/lessons`, l), 201));
  return { course, module: mod, lessons: lessons as { id: string; title: string }[] };
}
