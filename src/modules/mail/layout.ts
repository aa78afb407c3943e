// The branded frame of every email: receipts, sign-in links and broadcasts. Tables and inline
// styles only (Outlook's Word engine ignores most CSS; Gmail strips <style> in some views), a
// 600 px column that shrinks on phones, the logo and the business's name in a band of its
// colour, and a footer with the business's name and postal address.

/** How mail looks: taken from the business's brand (the brand module), or the neutral default. */
export interface EmailLook {
  businessName: string;
  /** the brand colour: the header band and buttons */
  color: string;
  /** text on the brand colour (white or near-black, whichever reads) */
  ink: string;
  /** the brand colour darkened to read as link text on white */
  link: string;
  /** absolute URL of the logo, or null (the name is shown instead) */
  logoUrl: string | null;
  fontStack: string;
  postalAddress: string;
  supportEmail: string;
}

export const neutralLook: EmailLook = {
  businessName: '',
  color: '#1f2328',
  ink: '#ffffff',
  link: '#0b5cad',
  logoUrl: null,
  fontStack: "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif",
  postalAddress: '',
  supportEmail: '',
};

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Liquid-safe text: broadcasts run the shell through Liquid, so no `{` may come from data. */
const safe = (s: string) => escapeHtml(s).replace(/\{/g, '&#123;').replace(/\}/g, '&#125;');

/**
 * The whole HTML document around `bodyHtml`. `footerHtml` (already escaped) comes before the
 * business's name and address; `tail` goes last (a broadcast's open-tracking pixel slot).
 */
export function emailShell(o: { look: EmailLook; title: string; preheader?: string; bodyHtml: string; footerHtml?: string; tail?: string; rawTitle?: boolean }): string {
  const l = o.look;
  const font = l.fontStack.replace(/"/g, "'");
  const name = `<span style="font:700 20px/1.3 ${font};color:${l.ink}">${safe(l.businessName)}</span>`;
  const header = l.logoUrl
    ? `<img src="${safe(l.logoUrl)}" alt="" height="40" style="display:inline-block;vertical-align:middle;height:40px;width:auto;max-width:200px;border:0;outline:none;text-decoration:none;margin-right:10px" />${name}`
    : name;
  const address = l.postalAddress.trim() ? `<br />${safe(l.postalAddress.trim()).replace(/\r?\n/g, '<br />')}` : '';
  const support = l.supportEmail ? `<br /><a href="mailto:${safe(l.supportEmail)}" style="color:#57606a">${safe(l.supportEmail)}</a>` : '';
  // Links and buttons in the body take the brand colour (inline: clients drop <style>).
  const body = o.bodyHtml.replace(/<a (?![^>]*style=)/g, `<a style="color:${l.link}" `);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />` +
    `<meta name="color-scheme" content="light" /><meta name="supported-color-schemes" content="light" />` +
    `<title>${o.rawTitle ? o.title : safe(o.title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f3f4f6;-webkit-text-size-adjust:100%">` +
    (o.preheader !== undefined ? `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${o.preheader}</div>` : '') +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6"><tr><td align="center" style="padding:16px 8px">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%">` +
    `<tr><td bgcolor="${l.color}" style="background:${l.color};padding:18px 24px;border-radius:8px 8px 0 0">${header}</td></tr>` +
    `<tr><td bgcolor="#ffffff" style="background:#ffffff;padding:24px;border-radius:0 0 8px 8px;font:16px/1.6 ${font};color:#1f2328">${body}</td></tr>` +
    `</table>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%"><tr>` +
    `<td style="padding:16px 24px;font:13px/1.5 ${font};color:#57606a;text-align:center">${o.footerHtml ?? ''}` +
    `<p style="margin:0"><strong>${safe(l.businessName)}</strong>${address}${support}</p></td>` +
    `</tr></table></td></tr></table>${o.tail ?? ''}</body></html>`
  );
}

/** A plain-text message as simple HTML: paragraphs, line breaks, and its addresses as links. */
export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((para) => `<p style="margin:0 0 16px">${escapeHtml(para).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`).replace(/\n/g, '<br />')}</p>`)
    .join('');
}
