// Lesson content: Markdown rendered to HTML and sanitised once, at save time, so what a
// student is served can never carry a script, whoever wrote it; and video URLs turned into
// embeds the page's Content-Security-Policy allows.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { invalid } from '../../errors.js';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'h1',
    'h2',
    'del',
    'ins',
    'sup',
    'sub',
    'details',
    'summary',
    'input',
  ],
  allowedAttributes: {
    // rel/target are set by the transform below for external links
    a: ['href', 'title', 'name', 'rel', 'target'],
    img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
    th: ['align', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    code: ['class'],
    ol: ['start'],
    // GitHub task lists render as disabled checkboxes
    input: ['type', 'checked', 'disabled'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https', 'http'] },
  allowProtocolRelative: false,
  exclusiveFilter: (frame) => frame.tag === 'input' && frame.attribs.type !== 'checkbox',
  transformTags: {
    a: (tagName, attribs) => {
      const external = /^https?:\/\//i.test(attribs.href ?? '');
      const { rel: _rel, target: _target, ...rest } = attribs;
      return { tagName, attribs: external ? { ...rest, rel: 'noopener noreferrer', target: '_blank' } : rest };
    },
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: 'lazy' } }),
  },
};

/** Markdown (or HTML inside it) → HTML that is safe to serve to students. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown) as string;
  return sanitizeHtml(html, sanitizeOptions);
}

export type VideoEmbed = { kind: 'iframe'; src: string; provider: 'youtube' | 'vimeo' } | { kind: 'file'; src: string };

/**
 * A video URL as an embed: YouTube (privacy-enhanced domain), Vimeo, or a direct https video
 * file. Anything else is refused when the lesson is saved.
 */
export function videoEmbed(url: string): VideoEmbed {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw invalid('The video URL is not a valid URL', { field: 'videoUrl' });
  }
  if (u.protocol !== 'https:') throw invalid('The video URL must start with https://', { field: 'videoUrl' });
  const host = u.hostname.replace(/^www\.|^m\./, '');
  const id = (v: string | null | undefined) => (v && /^[\w-]{6,20}$/.test(v) ? v : null);
  if (host === 'youtube.com' || host === 'youtube-nocookie.com') {
    const v = id(u.searchParams.get('v')) ?? id(/^\/(?:embed|shorts|live)\/([\w-]+)/.exec(u.pathname)?.[1]);
    if (v) return { kind: 'iframe', provider: 'youtube', src: `https://www.youtube-nocookie.com/embed/${v}` };
  }
  if (host === 'youtu.be') {
    const v = id(u.pathname.slice(1));
    if (v) return { kind: 'iframe', provider: 'youtube', src: `https://www.youtube-nocookie.com/embed/${v}` };
  }
  if (host === 'vimeo.com' || host === 'player.vimeo.com') {
    const v = /(\d{5,12})/.exec(u.pathname)?.[1];
    if (v) return { kind: 'iframe', provider: 'vimeo', src: `https://player.vimeo.com/video/${v}` };
  }
  if (/\.(mp4|webm|ogv|m4v|mov)$/i.test(u.pathname)) return { kind: 'file', src: u.toString() };
  throw invalid('Use a YouTube or Vimeo link, or a direct https link to a video file (.mp4, .webm)', { field: 'videoUrl' });
}

/** URL-safe slug from a title. */
export function slugify(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return s || 'course';
}
