// The blog's public pages: the index (and a tag's index), a post, and the 404 that suggests
// posts. Rendered once per change into the blog's cache; no JavaScript needed.
import type { PostBlock } from '../../../src/modules/content/post-content.js';
import { PublicLayout } from '../layout.js';
import { OptInForm, type PublicForm } from '../audience/pages.js';

export interface PostCardView {
  title: string;
  url: string;
  excerpt: string;
  date: string;
  dateIso: string;
  readingMinutes: number;
  tags: string[];
  featured: boolean;
  membersOnly: boolean;
  cover: { url: string; alt: string; width: number; height: number } | null;
}

export interface ProductCardView {
  name: string;
  summary: string;
  imageUrl: string | null;
  priceText: string;
  buyUrl: string | null;
  url: string;
}

export interface BlogFrame {
  siteName: string;
  publicUrl: string;
  blogTitle: string;
  blogDescription: string;
}

const JsonLd = ({ data }: { data: unknown }) => (
  // JSON-LD is data, not script: browsers never execute it. `<` is escaped so the text cannot close the tag.
  <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(data).replace(/</g, '\\u003c') }} />
);

const feedLinks = (publicUrl: string, title: string, tag?: string) => (
  <>
    <link rel="alternate" type="application/rss+xml" title={`${title} (RSS)`} href={`${publicUrl}${tag ? `/blog/tag/${encodeURIComponent(tag)}` : ''}/feed.xml`} />
    <link rel="alternate" type="application/atom+xml" title={`${title} (Atom)`} href={`${publicUrl}${tag ? `/blog/tag/${encodeURIComponent(tag)}` : ''}/atom.xml`} />
  </>
);

function PostCard({ post, eager }: { post: PostCardView; eager: boolean }) {
  return (
    <li className="card post-card">
      {post.cover ? (
        <img src={post.cover.url} alt={post.cover.alt} width={post.cover.width} height={post.cover.height} loading={eager ? 'eager' : 'lazy'} decoding="async" sizes="(max-width: 700px) 100vw, 700px" style={{ width: '100%', height: 'auto' }} />
      ) : null}
      {post.featured ? <p className="badge">Featured</p> : post.membersOnly ? <p className="badge">Members</p> : null}
      <h2>
        <a href={post.url}>{post.title}</a>
      </h2>
      <p className="muted">
        <time dateTime={post.dateIso}>{post.date}</time> · {post.readingMinutes} min read
      </p>
      {post.excerpt ? <p>{post.excerpt}</p> : null}
    </li>
  );
}

export function BlogIndexPage(props: { frame: BlogFrame; posts: PostCardView[]; tag?: string; page: number; pages: number; tags: string[] }) {
  const { frame, tag, page, pages } = props;
  const base = tag ? `/blog/tag/${encodeURIComponent(tag)}` : '/blog';
  const url = `${frame.publicUrl}${base}${page > 1 ? `?page=${page}` : ''}`;
  const title = tag ? `Posts tagged “${tag}”` : frame.blogTitle;
  const crumbs = [
    { name: frame.siteName, url: `${frame.publicUrl}/` },
    { name: frame.blogTitle, url: `${frame.publicUrl}/blog` },
    ...(tag ? [{ name: tag, url: `${frame.publicUrl}${base}` }] : []),
  ];
  const head = (
    <>
      {feedLinks(frame.publicUrl, title, tag)}
      {page > 1 ? <link rel="prev" href={`${frame.publicUrl}${base}${page > 2 ? `?page=${page - 1}` : ''}`} /> : null}
      {page < pages ? <link rel="next" href={`${frame.publicUrl}${base}?page=${page + 1}`} /> : null}
      <JsonLd data={{ '@context': 'https://schema.org', '@type': 'BreadcrumbList', itemListElement: crumbs.map((c, i) => ({ '@type': 'ListItem', position: i + 1, name: c.name, item: c.url })) }} />
    </>
  );
  return (
    <PublicLayout meta={{ title: page > 1 ? `${title} (page ${page})` : title, description: frame.blogDescription || `Articles from ${frame.siteName}`, url, siteName: frame.siteName }} head={head}>
      <nav aria-label="Breadcrumb" className="breadcrumbs muted">
        <a href="/">{frame.siteName}</a> › {tag ? <a href="/blog">{frame.blogTitle}</a> : <span>{frame.blogTitle}</span>}
        {tag ? <> › <span>{tag}</span></> : null}
      </nav>
      <h1>{title}</h1>
      {!tag && frame.blogDescription ? <p className="lead">{frame.blogDescription}</p> : null}
      {props.posts.length === 0 ? (
        <p className="muted">No posts here yet. Come back soon.</p>
      ) : (
        <ul className="post-list" role="list" style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '1rem' }}>
          {props.posts.map((p, i) => (
            <PostCard key={p.url} post={p} eager={i === 0} />
          ))}
        </ul>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages" className="pagination">
          {page > 1 ? <a rel="prev" href={`${base}${page > 2 ? `?page=${page - 1}` : ''}`}>← Newer posts</a> : null} <span className="muted">Page {page} of {pages}</span>{' '}
          {page < pages ? <a rel="next" href={`${base}?page=${page + 1}`}>Older posts →</a> : null}
        </nav>
      ) : null}
      {props.tags.length ? (
        <nav aria-label="Topics" className="tags">
          <h2>Topics</h2>
          <ul role="list" style={{ listStyle: 'none', padding: 0, display: 'flex', flexWrap: 'wrap', gap: '.5rem' }}>
            {props.tags.map((t) => (
              <li key={t}>
                <a href={`/blog/tag/${encodeURIComponent(t)}`}>{t}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </PublicLayout>
  );
}

export interface PostPageProps {
  frame: BlogFrame;
  title: string;
  /** the <title> */
  seoTitle: string;
  description: string;
  url: string;
  canonical: string;
  image: string;
  imageAlt: string;
  authorName: string;
  publishedIso: string;
  modifiedIso: string;
  dateText: string;
  readingMinutes: number;
  tags: string[];
  cover: { url: string; alt: string; width: number; height: number } | null;
  /** the full body, or null when this visitor sees the teaser */
  html: string | null;
  teaser: string;
  /** who may read it all, in a sentence (members-only posts) */
  gate: { text: string; buyUrl: string | null } | null;
  blocks: PostBlock[];
  forms: Record<string, PublicForm>;
  products: Record<string, ProductCardView>;
  formToken: string;
  jsonLd: unknown;
  previewNotice?: string;
}

function PostBlockView({ block, props }: { block: PostBlock; props: PostPageProps }) {
  switch (block.type) {
    case 'optin':
    case 'leadMagnet': {
      const form = props.forms[block.formId];
      return (
        <section className={`block optin card ${block.type === 'leadMagnet' ? 'lead-magnet' : ''}`} aria-labelledby={`h-${block.id}`}>
          {block.type === 'leadMagnet' && block.imageUrl ? <img src={block.imageUrl} alt="" width={160} height={200} loading="lazy" decoding="async" style={{ float: 'right', marginLeft: '1rem' }} /> : null}
          <h2 id={`h-${block.id}`}>{block.heading}</h2>
          {block.text ? <p>{block.text}</p> : null}
          {form ? (
            <OptInForm form={form} csrf={props.formToken} idPrefix={`${block.id}-`} buttonLabel={block.buttonLabel || undefined} />
          ) : (
            <p className="notice notice-info" role="status">
              This sign-up form is no longer available.
            </p>
          )}
        </section>
      );
    }
    case 'product': {
      const p = props.products[block.productId];
      if (!p) return null;
      return (
        <section className="block card product-card" aria-labelledby={`h-${block.id}`}>
          {p.imageUrl ? <img src={p.imageUrl} alt="" width={400} height={225} loading="lazy" decoding="async" style={{ width: '100%', height: 'auto' }} /> : null}
          <h2 id={`h-${block.id}`}>{block.heading || p.name}</h2>
          {p.summary ? <p>{p.summary}</p> : null}
          <p className="amount">{p.priceText}</p>
          <p>
            {p.buyUrl ? (
              <a className="button" href={p.buyUrl}>
                Buy now
              </a>
            ) : null}{' '}
            <a href={p.url}>Learn more about {p.name}</a>
          </p>
        </section>
      );
    }
    case 'cta':
      return (
        <section className="block card cta" aria-labelledby={`h-${block.id}`}>
          <h2 id={`h-${block.id}`}>{block.heading}</h2>
          {block.text ? <p>{block.text}</p> : null}
          <p>
            <a className="button" href={block.url}>
              {block.label}
            </a>
          </p>
        </section>
      );
  }
}

export function PostPage(props: PostPageProps) {
  const { frame } = props;
  const head = (
    <>
      <meta property="og:image:alt" content={props.imageAlt} />
      <meta property="article:published_time" content={props.publishedIso} />
      <meta property="article:modified_time" content={props.modifiedIso} />
      {props.tags.map((t) => (
        <meta key={t} property="article:tag" content={t} />
      ))}
      <meta name="twitter:title" content={props.seoTitle} />
      {props.description ? <meta name="twitter:description" content={props.description} /> : null}
      <meta name="twitter:image" content={props.image} />
      {feedLinks(frame.publicUrl, frame.blogTitle)}
      <JsonLd data={props.jsonLd} />
    </>
  );
  return (
    <PublicLayout meta={{ title: props.seoTitle, description: props.description, url: props.canonical, image: props.image, siteName: frame.siteName, type: 'article', noindex: Boolean(props.previewNotice) || props.html === null }} head={head}>
      {props.previewNotice ? <p className="test-mode">{props.previewNotice}</p> : null}
      <nav aria-label="Breadcrumb" className="breadcrumbs muted">
        <a href="/">{frame.siteName}</a> › <a href="/blog">{frame.blogTitle}</a> › <span>{props.title}</span>
      </nav>
      <article className="page post">
        <header>
          <h1>{props.title}</h1>
          <p className="muted">
            By {props.authorName} · <time dateTime={props.publishedIso}>{props.dateText}</time> · {props.readingMinutes} min read
          </p>
          {props.tags.length ? (
            <p className="tags">
              {props.tags.map((t, i) => (
                <span key={t}>
                  {i ? ', ' : ''}
                  <a href={`/blog/tag/${encodeURIComponent(t)}`} rel="tag">
                    {t}
                  </a>
                </span>
              ))}
            </p>
          ) : null}
        </header>
        {props.cover ? (
          // Above the fold: loaded at once, with its size so nothing shifts.
          <img className="post-cover" src={props.cover.url} alt={props.cover.alt} width={props.cover.width} height={props.cover.height} fetchPriority="high" decoding="async" sizes="(max-width: 800px) 100vw, 800px" style={{ width: '100%', height: 'auto' }} />
        ) : null}
        {props.html !== null ? (
          <div className="block rich post-body" dangerouslySetInnerHTML={{ __html: props.html }} />
        ) : (
          <div className="post-teaser">
            <p>{props.teaser}</p>
            <section className="card notice notice-info" role="status" aria-label="Members only">
              <p>{props.gate?.text}</p>
              <p>
                {props.gate?.buyUrl ? (
                  <a className="button" href={props.gate.buyUrl}>
                    Get access
                  </a>
                ) : null}{' '}
                <a href="/account">Sign in to your account</a>
              </p>
            </section>
          </div>
        )}
        {props.blocks.map((b) => (
          <PostBlockView key={b.id} block={b} props={props} />
        ))}
      </article>
    </PublicLayout>
  );
}

export function BlogNotFoundPage({ frame, path, suggestions }: { frame: BlogFrame; path: string; suggestions: PostCardView[] }) {
  return (
    <PublicLayout meta={{ title: 'Page not found', siteName: frame.siteName, noindex: true }}>
      <h1>Page not found</h1>
      <p>Nothing is at {path}. It may have moved, or the address may have a typo.</p>
      {suggestions.length ? (
        <>
          <h2>Perhaps one of these posts?</h2>
          <ul>
            {suggestions.map((s) => (
              <li key={s.url}>
                <a href={s.url}>{s.title}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <a href="/blog">Read the blog</a> · <a href="/">Go to the home page</a>
      </p>
    </PublicLayout>
  );
}
