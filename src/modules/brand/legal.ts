// Legal pages are written in Markdown in Settings and shown as sanitised HTML: headings,
// paragraphs, lists, emphasis and links (http, https, mailto) only.
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

export function renderLegalText(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return sanitizeHtml(html, {
    allowedTags: ['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'br', 'blockquote', 'code'],
    allowedAttributes: { a: ['href'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { h1: 'h2' },
  });
}
