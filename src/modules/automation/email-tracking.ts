// Opens and clicks of a workflow's emails. The mail module tracks broadcasts; an automation
// email goes out through its transactional stream, so the workflow tracks its own: each link
// of the body becomes a signed redirect (/a/c/<token>) and an open pixel (/a/o/<token>) is
// added. A token names (run, seq, link index) and carries an HMAC; the link's address is read
// back from the step's execution row, so a token can only lead where the email pointed.
import { createHmac } from 'node:crypto';

const LINK = /\bhttps?:\/\/[^\s<>"')\]]+/g;

export function linkToken(key: Buffer, runId: string, seq: number, idx: number | null): string {
  const body = `${runId.replace(/-/g, '')}.${seq}${idx === null ? '' : `.${idx}`}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url').slice(0, 22)}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The email's text with its links through the redirect, an HTML version (the text with links
 * and line breaks, and the pixel), and the original links by index. Links `keep` says yes to
 * (the unsubscribe link) stay as they are.
 */
export function trackedEmail(text: string, opts: { baseUrl: string; runId: string; seq: number; key: Buffer; keep: (url: string) => boolean }): { text: string; html: string; links: string[] } {
  const base = opts.baseUrl.replace(/\/$/, '');
  const links: string[] = [];
  // One redirect per distinct link (an HMAC each), however often the body repeats it, and the
  // text and the HTML version share them.
  const redirects = new Map<string, string>();
  const redirectOf = (url: string): string => {
    let to = redirects.get(url);
    if (to === undefined) {
      to = opts.keep(url) || links.length >= 100 ? url : `${base}/a/c/${linkToken(opts.key, opts.runId, opts.seq, links.push(url) - 1)}`;
      redirects.set(url, to);
    }
    return to;
  };
  const trackedText = text.replace(LINK, redirectOf);
  let html = '';
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    html += escapeHtml(text.slice(last, m.index));
    html += `<a href="${escapeHtml(redirectOf(m[0]))}">${escapeHtml(m[0])}</a>`;
    last = m.index + m[0].length;
  }
  html += escapeHtml(text.slice(last));
  html = `<p>${html.split(/\n{2,}/).map((p) => p.replace(/\n/g, '<br>')).join('</p><p>')}</p>`;
  html += `<img src="${base}/a/o/${linkToken(opts.key, opts.runId, opts.seq, null)}.gif" width="1" height="1" alt="" style="display:block;border:0">`;
  return { text: trackedText, html, links };
}
