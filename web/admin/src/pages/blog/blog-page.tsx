// The blog: posts (status filters), the editor (the lessons' rich-text editor, blocks, SEO panel
// and checklist, live preview, revisions with a diff), publishing or submitting per the writer's
// policy, the owner's approve / refuse, the editorial calendar, redirects and the blog's settings.
import { useEffect, useMemo, useState } from 'react';
import { Link, NavLink, Route, Routes, useNavigate, useParams, useSearchParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { Forbidden } from '../../components/forbidden.js';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { RichTextEditor } from '../../components/rich-text-editor.js';
import { Time } from '../../components/time.js';
import { ApiError } from '../../api.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { catalogApi } from '../products/catalog-api.js';
import { siteApi, type FormChoice } from '../site/site-api.js';
import { blogApi, type BlogSettings, type DiffLine, type Post, type PostBlock, type PostContent, type PostStatus } from './blog-api.js';

export default function BlogArea() {
  if (!useSession().can('content.read')) return <Forbidden />;
  return (
    <Routes>
      <Route index element={<PostsPage />} />
      <Route path="calendar" element={<CalendarPage />} />
      <Route path="redirects" element={<RedirectsPage />} />
      <Route path="settings" element={<SettingsPage />} />
      <Route path=":id" element={<PostEditorPage />} />
    </Routes>
  );
}

function BlogNav() {
  const { can } = useSession();
  return (
    <nav aria-label="Blog" className="tabs">
      <NavLink to="/blog" end>
        Posts
      </NavLink>
      <NavLink to="/blog/calendar">Calendar</NavLink>
      <NavLink to="/blog/redirects">Redirects</NavLink>
      {can('content.settings') ? <NavLink to="/blog/settings">Settings</NavLink> : null}
      <a href="/blog" target="_blank" rel="noreferrer">
        View the blog
      </a>
    </nav>
  );
}

const statusLabel: Record<PostStatus, string> = { draft: 'Draft', submitted: 'Waiting for approval', scheduled: 'Scheduled', published: 'Published', unpublished: 'Unpublished' };
const statusBadge = (s: PostStatus) => <span className={`badge ${s === 'published' ? 'good' : s === 'submitted' ? 'warn' : ''}`}>{statusLabel[s]}</span>;

function PostsPage() {
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') as PostStatus | null) ?? undefined;
  const state = useLoad(() => blogApi.posts({ status }), [status]);
  const { can } = useSession();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const create = useAction(async () => {
    const post = await blogApi.create({ content: { title } });
    navigate(`/blog/${post.id}`);
  });
  return (
    <>
      <PageHeader title="Blog" intro="Articles that bring visitors from search and social, and turn them into subscribers and buyers." />
      <BlogNav />
      <LoadState state={state} label="Loading posts…">
        {({ posts, policy }) => (
          <>
            <p className="muted">{policy}</p>
            {can('content.write') ? (
              <form
                className="inline-form card"
                aria-label="New post"
                onSubmit={(e) => {
                  e.preventDefault();
                  void create.run();
                }}
              >
                <TextField label="New post titled" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
                <button type="submit" className="button primary" disabled={create.pending || !title.trim()}>
                  Start writing
                </button>
              </form>
            ) : null}
            <FormError error={create.error} />
            {can('analytics.read') ? <TopPosts /> : null}
            <nav aria-label="Filter posts by status" className="button-row" style={{ margin: '12px 0' }}>
              {([undefined, 'draft', 'submitted', 'scheduled', 'published', 'unpublished'] as const).map((s) => (
                <button key={s ?? 'all'} type="button" className={`button small ${status === s ? 'primary' : 'subtle'}`} aria-pressed={status === s} onClick={() => setParams(s ? { status: s } : {})}>
                  {s ? statusLabel[s] : 'All'}
                </button>
              ))}
            </nav>
            {posts.length === 0 ? (
              <EmptyState title={status ? `No ${statusLabel[status].toLowerCase()} posts` : 'No posts yet'}>
                <p>{status ? 'Choose another filter, or write a new post above.' : 'Give your first post a title above: a question your customers ask before they buy is a good start.'}</p>
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Post</th>
                      <th scope="col">Status</th>
                      <th scope="col">Tags</th>
                      <th scope="col">SEO</th>
                      <th scope="col">Edited</th>
                    </tr>
                  </thead>
                  <tbody>
                    {posts.map((p) => (
                      <tr key={p.id}>
                        <td data-label="Post">
                          <Link to={`/blog/${p.id}`}>
                            <strong>{p.draft.title}</strong>
                          </Link>
                          <div className="muted small">{p.url}</div>
                        </td>
                        <td data-label="Status">
                          {statusBadge(p.status)}
                          {p.status === 'scheduled' && p.scheduledAt ? (
                            <div className="small">
                              <Time iso={p.scheduledAt} />
                            </div>
                          ) : null}
                        </td>
                        <td data-label="Tags">{p.draft.tags.join(', ') || <span className="muted">none</span>}</td>
                        <td data-label="SEO">
                          {p.seo.filter((c) => c.ok).length}/{p.seo.length}
                        </td>
                        <td data-label="Edited">
                          <Time iso={p.updatedAt} style="relative" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </LoadState>
    </>
  );
}

function TopPosts() {
  const state = useLoad(() => blogApi.topPosts(), []);
  return (
    <section className="card section" aria-labelledby="top-posts">
      <h2 id="top-posts">What the posts bring (last 30 days)</h2>
      <LoadState state={state} label="Loading figures…">
        {({ posts }) =>
          posts.every((p) => p.visitors === 0) ? (
            <p className="muted">No visitors on the blog in the last 30 days yet. Share a post or send it as a newsletter.</p>
          ) : (
            <div className="table-wrap">
              <table className="stack-on-phone">
                <thead>
                  <tr>
                    <th scope="col">Post</th>
                    <th scope="col">Visitors</th>
                    <th scope="col">Top sources</th>
                    <th scope="col">Opt-ins</th>
                    <th scope="col">Sales (first / last touch)</th>
                  </tr>
                </thead>
                <tbody>
                  {posts.filter((p) => p.visitors > 0).map((p) => (
                    <tr key={p.postId}>
                      <td data-label="Post">
                        <Link to={`/blog/${p.postId}`}>{p.title}</Link>
                      </td>
                      <td data-label="Visitors">{p.visitors}</td>
                      <td data-label="Top sources">{p.sources.slice(0, 3).map((s) => `${s.source} ${s.visitors}`).join(', ')}</td>
                      <td data-label="Opt-ins">{p.optIns}</td>
                      <td data-label="Sales (first / last touch)">
                        {p.salesFirstTouch} / {p.salesLastTouch}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
    </section>
  );
}

// ---- the editor ---------------------------------------------------------------------------------

const blockLabels: Record<PostBlock['type'], string> = { optin: 'Opt-in form', leadMagnet: 'Lead magnet (content upgrade)', product: 'Product card', cta: 'Call to action' };

function newBlock(type: PostBlock['type']): PostBlock {
  const id = `b${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  if (type === 'optin') return { id, type, heading: 'Get new posts by email', text: '', formId: '', buttonLabel: '' };
  if (type === 'leadMagnet') return { id, type, heading: 'Get the free checklist', text: '', formId: '', buttonLabel: '' };
  if (type === 'product') return { id, type, productId: '', heading: '' };
  return { id, type, heading: 'Ready for more?', text: '', label: 'See the course', url: '/' };
}

function PostEditorPage() {
  const { id = '' } = useParams();
  const state = useLoad(
    () =>
      Promise.all([blogApi.post(id), siteApi.forms().catch(() => ({ forms: [] as FormChoice[] })), catalogApi.products({ status: 'published' }).catch(() => ({ products: [] })), blogApi.authors()]).then(([post, f, c, a]) => ({
        post,
        forms: f.forms,
        products: c.products.map((p) => ({ id: p.id, name: p.name, prices: p.prices.filter((x) => x.active).map((x) => ({ id: x.id, label: x.label || `${x.currency.toUpperCase()} ${x.amount / 100}` })) })),
        authors: a,
      })),
    [id],
  );
  return (
    <LoadState state={state} label="Loading the post…">
      {(d) => <Editor key={d.post.id} {...d} onSaved={(post) => state.setData((x) => ({ ...x, post }))} />}
    </LoadState>
  );
}

type ProductChoice = { id: string; name: string; prices: { id: string; label: string }[] };

function Editor({ post, forms, products, authors, onSaved }: { post: Post; forms: FormChoice[]; products: ProductChoice[]; authors: { authors: { id: string; name: string }[]; policy: string; me: string | null }; onSaved(p: Post): void }) {
  const { can } = useSession();
  const writable = can('content.write');
  const [content, setContent] = useState<PostContent>(post.draft);
  const [slug, setSlug] = useState(post.slug);
  const [tags, setTags] = useState(post.draft.tags.join(', '));
  const [dirty, setDirty] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [at, setAt] = useState('');
  const [addType, setAddType] = useState<PostBlock['type']>('optin');
  const navigate = useNavigate();
  const confirm = useConfirm();
  const change = (next: PostContent) => {
    setContent(next);
    setDirty(true);
    setNotice(null);
  };
  const cleaned = useMemo(() => ({ ...content, tags: tags.split(',').map((t) => t.trim()).filter(Boolean) }), [content, tags]);

  const [preview, setPreview] = useState<{ html: string; error: string | null }>({ html: '', error: null });
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      blogApi.preview(cleaned, slug).then(
        (r) => live && setPreview({ html: r.html, error: null }),
        (err: unknown) => live && setPreview((p) => ({ html: p.html, error: err instanceof ApiError ? err.message : 'The preview could not be rendered' })),
      );
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [cleaned, slug]);

  const saveDraft = async () => {
    const saved = await blogApi.save(post.id, { slug: slug !== post.slug ? slug : undefined, draft: cleaned });
    onSaved(saved);
    setDirty(false);
    return saved;
  };
  const save = useAction(async (then?: 'publish' | 'submit') => {
    await saveDraft();
    if (!then) return setNotice('Draft saved. Visitors see the published version until it is published.');
    const when = at ? new Date(at).toISOString() : null;
    const r = then === 'publish' ? await blogApi.publish(post.id, when) : await blogApi.submit(post.id, when);
    onSaved(r.post);
    setNotice(r.outcome === 'published' ? 'Published: visitors see it now.' : r.outcome === 'scheduled' ? 'Scheduled: it goes live at the time you chose.' : 'Sent to the owner for approval. You will see it here once they decide.');
  });
  const withdraw = useAction(async () => {
    onSaved(await blogApi.withdraw(post.id));
    setNotice('Withdrawn: the post is yours to edit again.');
  });
  const decide = useAction(async (decision: 'approve' | 'refuse') => {
    if (!post.approvalId) return;
    if (decision === 'approve') await blogApi.approve(post.approvalId);
    else await blogApi.refuse(post.approvalId, refuseNote);
    onSaved(await blogApi.post(post.id));
    setNotice(decision === 'approve' ? 'Approved.' : 'Refused: the writer sees it back as a draft.');
  });
  const [refuseNote, setRefuseNote] = useState('');
  const unpublish = useAction(async () => {
    onSaved(await blogApi.unpublish(post.id));
    setNotice('Taken offline.');
  });
  const remove = useAction(async () => {
    if (!(await confirm({ title: 'Delete this post?', body: <p>It goes offline at once and its revisions are deleted.</p>, confirmLabel: 'Delete', danger: true }))) return;
    await blogApi.remove(post.id);
    navigate('/blog');
  });
  const setBlock = (i: number, b: PostBlock) => change({ ...content, blocks: content.blocks.map((x, j) => (j === i ? b : x)) });

  return (
    <>
      <PageHeader
        title={content.title || 'Untitled post'}
        intro={
          <>
            {statusBadge(post.status)} {dirty ? <span className="badge">Unsaved changes</span> : null} ·{' '}
            {post.status === 'published' ? (
              <a href={post.url} target="_blank" rel="noreferrer">
                {post.url}
              </a>
            ) : (
              <span className="muted">{post.url}</span>
            )}{' '}
            · {post.readingMinutes} min read · <Link to="/blog">All posts</Link>
          </>
        }
        actions={
          writable ? (
            <div className="button-row">
              <button type="button" className="button" disabled={save.pending || !dirty} onClick={() => void save.run()}>
                Save draft
              </button>
              {post.status !== 'submitted' ? (
                <>
                  <button type="button" className="button" disabled={save.pending} onClick={() => void save.run('submit')}>
                    Submit for review
                  </button>
                  <button type="button" className="button primary" disabled={save.pending} onClick={() => void save.run('publish')}>
                    {save.pending ? 'Saving…' : at ? 'Schedule' : 'Publish'}
                  </button>
                </>
              ) : (
                <button type="button" className="button" disabled={withdraw.pending} onClick={() => void withdraw.run()}>
                  Withdraw submission
                </button>
              )}
            </div>
          ) : null
        }
      />
      <p className="muted">{authors.policy}</p>
      <FormError error={save.error ?? withdraw.error ?? decide.error ?? unpublish.error ?? remove.error} />
      <FormNotice>{notice}</FormNotice>
      {post.refusedAt && post.status !== 'submitted' ? (
        <section className="card section" aria-labelledby="refused" role="status">
          <h2 id="refused">The owner refused the last submission</h2>
          <p className="muted">{new Date(post.refusedAt).toLocaleString()}</p>
          {post.refusalNote ? <blockquote>{post.refusalNote}</blockquote> : <p>No note was left.</p>}
          <p>Change the post and submit it again when it is ready.</p>
        </section>
      ) : null}
      {post.status === 'submitted' && can('approvals.decide') ? (
        <section className="card section" aria-labelledby="decide">
          <h2 id="decide">This post waits for your approval</h2>
          <p>Approving publishes revision {post.pendingRevision}{post.scheduledAt ? ' at the time the writer chose' : ' at once'}.</p>
          <TextField label="Note to the writer (when you refuse)" value={refuseNote} onChange={(e) => setRefuseNote(e.target.value)} maxLength={2000} />
          <div className="button-row">
            <button type="button" className="button primary" disabled={decide.pending} onClick={() => void decide.run('approve')}>
              Approve and publish
            </button>
            <button type="button" className="button" disabled={decide.pending} onClick={() => void decide.run('refuse')}>
              Refuse
            </button>
          </div>
        </section>
      ) : null}
      <div className="editor">
        <div>
          <section className="card section" aria-labelledby="post-main">
            <h2 id="post-main">Post</h2>
            <div className="stack">
              <TextField label="Title" value={content.title} onChange={(e) => change({ ...content, title: e.target.value })} required maxLength={200} disabled={!writable} />
              <TextAreaField label="Excerpt" value={content.excerpt} onChange={(e) => change({ ...content, excerpt: e.target.value })} maxLength={600} hint="Shown in the blog's list, in feeds and as the description when you write none." disabled={!writable} />
              <RichTextEditor label="Body" html={content.html} onChange={(html) => change({ ...content, html })} disabled={!writable} uploadImage={async (file) => (await blogApi.uploadImage(file)).url} hint="Use H2 and H3 for sections: the title is the page's H1." />
              <TextField label="Tags (comma separated)" value={tags} onChange={(e) => { setTags(e.target.value); setDirty(true); }} disabled={!writable} hint="Each tag has its page and feed." />
              <SelectField label="Author" value={content.authorId ?? ''} onChange={(e) => change({ ...content, authorId: e.target.value || null })} options={[{ value: '', label: '(the business)' }, ...authors.authors.map((a) => ({ value: a.id, label: a.name }))]} disabled={!writable} />
              <CheckboxField label="Featured (shown first on the blog)" checked={content.featured} onChange={(e) => change({ ...content, featured: e.target.checked })} disabled={!writable} />
              <TextField label="Cover image address" value={content.cover?.url ?? ''} onChange={(e) => change({ ...content, cover: e.target.value ? { url: e.target.value, alt: content.cover?.alt ?? '', width: content.cover?.width ?? 1200, height: content.cover?.height ?? 630 } : null })} disabled={!writable} hint="Upload it in the body's image button or paste an https:// address." />
              {content.cover ? <TextField label="Cover image alt text" value={content.cover.alt} onChange={(e) => change({ ...content, cover: { ...content.cover!, alt: e.target.value } })} disabled={!writable} /> : null}
              {writable ? (
                <TextField label="Schedule for (optional)" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} hint="Empty: publish (or submit) for now." />
              ) : null}
            </div>
          </section>
          <section className="card section" aria-labelledby="post-readers">
            <h2 id="post-readers">Who may read it</h2>
            <SelectField
              label="Readers"
              value={content.access.audience}
              onChange={(e) => change({ ...content, access: { ...content.access, audience: e.target.value as PostContent['access']['audience'] } })}
              options={[
                { value: 'everyone', label: 'Everyone' },
                { value: 'customers', label: 'Customers (anyone who bought)' },
                { value: 'products', label: 'Customers of chosen products' },
              ]}
              disabled={!writable}
            />
            {content.access.audience === 'products' ? (
              <fieldset>
                <legend>Products</legend>
                {products.map((p) => (
                  <CheckboxField
                    key={p.id}
                    label={p.name}
                    checked={content.access.productIds.includes(p.id)}
                    onChange={(e) => change({ ...content, access: { ...content.access, productIds: e.target.checked ? [...content.access.productIds, p.id] : content.access.productIds.filter((x) => x !== p.id) } })}
                    disabled={!writable}
                  />
                ))}
              </fieldset>
            ) : null}
            {content.access.audience !== 'everyone' ? <TextAreaField label="Teaser for everyone else" value={content.teaser} onChange={(e) => change({ ...content, teaser: e.target.value })} maxLength={2000} disabled={!writable} /> : null}
          </section>
          <section className="card section" aria-labelledby="post-blocks">
            <h2 id="post-blocks">After the post</h2>
            {content.blocks.length === 0 ? <p className="muted">No blocks: add an opt-in, a content upgrade, a product or a call to action below.</p> : null}
            {content.blocks.map((b, i) => (
              <fieldset key={b.id} className="block-card">
                <legend>
                  {i + 1}. {blockLabels[b.type]}
                </legend>
                <PostBlockFields block={b} forms={forms} products={products} onChange={(next) => setBlock(i, next)} disabled={!writable} />
                {writable ? (
                  <button type="button" className="button small danger-text" onClick={() => change({ ...content, blocks: content.blocks.filter((x) => x.id !== b.id) })}>
                    Remove<span className="visually-hidden"> block {i + 1}</span>
                  </button>
                ) : null}
              </fieldset>
            ))}
            {writable ? (
              <div className="inline-form">
                <SelectField label="Add a block" value={addType} onChange={(e) => setAddType(e.target.value as PostBlock['type'])} options={(Object.keys(blockLabels) as PostBlock['type'][]).map((t) => ({ value: t, label: blockLabels[t] }))} />
                <button type="button" className="button" onClick={() => change({ ...content, blocks: [...content.blocks, newBlock(addType)] })}>
                  Add block
                </button>
              </div>
            ) : null}
          </section>
          <section className="card section" aria-labelledby="post-seo">
            <h2 id="post-seo">Search and sharing</h2>
            <div className="stack">
              <TextField label="Title tag" value={content.seo.title} onChange={(e) => change({ ...content, seo: { ...content.seo, title: e.target.value } })} maxLength={120} hint={`${(content.seo.title || content.title).length} characters (20–60 reads well in search results). Empty: the title.`} disabled={!writable} />
              <TextAreaField label="Meta description" value={content.seo.description} onChange={(e) => change({ ...content, seo: { ...content.seo, description: e.target.value } })} maxLength={320} hint={`${(content.seo.description || content.excerpt).length} characters (70–160). Empty: the excerpt.`} disabled={!writable} />
              <TextField label="Address" value={slug} onChange={(e) => { setSlug(e.target.value); setDirty(true); }} hint={`/blog/${slug}${post.version > 0 && slug !== post.slug ? ' — the old address will answer 301 to the new one' : ''}`} disabled={!writable} />
              <TextField label="Canonical URL (only when this copies another page)" type="url" value={content.seo.canonicalUrl} onChange={(e) => change({ ...content, seo: { ...content.seo, canonicalUrl: e.target.value } })} disabled={!writable} />
              <TextField label="Social image (empty: a card made from the title)" value={content.seo.ogImage} onChange={(e) => change({ ...content, seo: { ...content.seo, ogImage: e.target.value } })} disabled={!writable} />
            </div>
            <h3>Checklist (at the last save)</h3>
            <ul className="plain-list" aria-label="SEO checklist">
              {post.seo.map((c) => (
                <li key={c.id}>
                  <span className={`badge ${c.ok ? 'good' : 'warn'}`}>{c.ok ? 'OK' : 'Fix'}</span> {c.message}
                </li>
              ))}
            </ul>
          </section>
          <Revisions post={post} onRestored={(p) => { onSaved(p); setContent(p.draft); setTags(p.draft.tags.join(', ')); setDirty(false); setNotice(`Revision restored as revision ${p.revision}.`); }} writable={writable} />
          {post.status === 'published' && can('mail.send') ? <Newsletter post={post} onSent={() => blogApi.post(post.id).then(onSaved)} /> : null}
          {writable ? (
            <p style={{ marginTop: 20 }}>
              {post.status === 'published' || post.status === 'scheduled' ? (
                <button type="button" className="button" disabled={unpublish.pending} onClick={() => void unpublish.run()}>
                  {post.status === 'scheduled' ? 'Cancel the schedule' : 'Unpublish'}
                </button>
              ) : null}{' '}
              <button type="button" className="button danger-text" disabled={remove.pending} onClick={() => void remove.run()}>
                Delete post
              </button>
            </p>
          ) : null}
        </div>
        <section className="editor-preview card" aria-labelledby="preview-title">
          <div className="section-head">
            <h2 id="preview-title">Preview</h2>
            <span className="muted small">as visitors will see it</span>
          </div>
          {preview.error ? (
            <p className="form-error" role="alert">
              {preview.error}
            </p>
          ) : null}
          <iframe className="preview-frame" sandbox="allow-same-origin" srcDoc={preview.html} title="Preview of the post" />
        </section>
      </div>
    </>
  );
}

function PostBlockFields({ block, forms, products, onChange, disabled }: { block: PostBlock; forms: FormChoice[]; products: ProductChoice[]; onChange(b: PostBlock): void; disabled: boolean }) {
  const formOptions = [{ value: '', label: 'Choose a form' }, ...forms.filter((f) => !f.archived).map((f) => ({ value: f.id, label: f.name }))];
  switch (block.type) {
    case 'optin':
    case 'leadMagnet':
      return (
        <div className="stack">
          <TextField label="Heading" value={block.heading} onChange={(e) => onChange({ ...block, heading: e.target.value })} disabled={disabled} />
          <TextAreaField label="Text" value={block.text} onChange={(e) => onChange({ ...block, text: e.target.value })} disabled={disabled} />
          <SelectField label={block.type === 'leadMagnet' ? 'The form that delivers it' : 'Form'} value={block.formId} onChange={(e) => onChange({ ...block, formId: e.target.value })} options={formOptions} disabled={disabled} hint={forms.length ? undefined : 'You have no sign-up forms yet: create one under Contacts → Forms.'} />
        </div>
      );
    case 'product': {
      const product = products.find((p) => p.id === block.productId);
      return (
        <div className="stack">
          <SelectField label="Product" value={block.productId} onChange={(e) => onChange({ ...block, productId: e.target.value, priceId: undefined })} options={[{ value: '', label: 'Choose a product' }, ...products.map((p) => ({ value: p.id, label: p.name }))]} disabled={disabled} />
          {product && product.prices.length > 1 ? (
            <SelectField label="Price" value={block.priceId ?? ''} onChange={(e) => onChange({ ...block, priceId: e.target.value || undefined })} options={[{ value: '', label: 'From the lowest' }, ...product.prices.map((p) => ({ value: p.id, label: p.label }))]} disabled={disabled} />
          ) : null}
          <TextField label="Heading (empty: the product's name)" value={block.heading} onChange={(e) => onChange({ ...block, heading: e.target.value })} disabled={disabled} />
        </div>
      );
    }
    case 'cta':
      return (
        <div className="stack">
          <TextField label="Heading" value={block.heading} onChange={(e) => onChange({ ...block, heading: e.target.value })} disabled={disabled} />
          <TextAreaField label="Text" value={block.text} onChange={(e) => onChange({ ...block, text: e.target.value })} disabled={disabled} />
          <TextField label="Button label" value={block.label} onChange={(e) => onChange({ ...block, label: e.target.value })} disabled={disabled} />
          <TextField label="Button link" value={block.url} onChange={(e) => onChange({ ...block, url: e.target.value })} disabled={disabled} hint="A path on this site (/p/…) or an https:// address." />
        </div>
      );
  }
}

function Revisions({ post, onRestored, writable }: { post: Post; onRestored(p: Post): void; writable: boolean }) {
  const state = useLoad(() => blogApi.revisions(post.id), [post.id, post.revision]);
  const [diff, setDiff] = useState<{ n: number; lines: DiffLine[] } | null>(null);
  const show = useAction(async (n: number) => setDiff({ n, lines: (await blogApi.diff(post.id, n - 1, n)).lines }));
  const restore = useAction(async (n: number) => onRestored(await blogApi.restore(post.id, n)));
  return (
    <section className="card section" aria-labelledby="post-revisions">
      <h2 id="post-revisions">Revisions</h2>
      <FormError error={show.error ?? restore.error} />
      <LoadState state={state} label="Loading revisions…">
        {({ revisions }) => (
          <ul className="plain-list">
            {revisions.slice(0, 20).map((r) => (
              <li key={r.n} className="list-row">
                <span>
                  {r.n}. {r.reason} by {r.actorKind} · <Time iso={r.createdAt} style="relative" />
                </span>
                <span className="button-row">
                  <button type="button" className="button small" onClick={() => void show.run(r.n)}>
                    Changes<span className="visually-hidden"> in revision {r.n}</span>
                  </button>
                  {writable && r.n !== post.revision ? (
                    <button type="button" className="button small" onClick={() => void restore.run(r.n)}>
                      Restore<span className="visually-hidden"> revision {r.n}</span>
                    </button>
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        )}
      </LoadState>
      {diff ? (
        <div aria-label={`Changes in revision ${diff.n}`} className="diff">
          <h3>Changes in revision {diff.n}</h3>
          <pre style={{ whiteSpace: 'pre-wrap' }}>
            {diff.lines
              .filter((l) => l.op !== 'same')
              .map((l, i) => (
                <div key={i} className={l.op === 'added' ? 'diff-added' : 'diff-removed'}>
                  {l.op === 'added' ? '+ ' : '− '}
                  {l.text}
                </div>
              ))}
          </pre>
        </div>
      ) : null}
    </section>
  );
}

function Newsletter({ post, onSent }: { post: Post; onSent(): void }) {
  const state = useLoad(() => Promise.all([blogApi.segments().catch(() => ({ segments: [] })), blogApi.lists().catch(() => ({ lists: [] }))]).then(([s, l]) => ({ segments: s.segments, lists: l.lists })), []);
  const [to, setTo] = useState('');
  const send = useAction(async () => {
    const [kind, value] = to.split(':');
    await blogApi.newsletter(post.id, kind === 'segment' ? { segmentId: value } : { listId: value });
    onSent();
  });
  if (post.broadcastId)
    return (
      <section className="card section" aria-labelledby="post-newsletter">
        <h2 id="post-newsletter">Newsletter</h2>
        <p>
          Sent as a <Link to={`/broadcasts/${post.broadcastId}`}>broadcast</Link>.
        </p>
      </section>
    );
  return (
    <section className="card section" aria-labelledby="post-newsletter">
      <h2 id="post-newsletter">Send as a newsletter</h2>
      <LoadState state={state} label="Loading segments…">
        {({ segments, lists }) => (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void send.run();
            }}
          >
            <SelectField label="To" value={to} onChange={(e) => setTo(e.target.value)} required options={[{ value: '', label: 'Choose a segment or a list' }, ...segments.map((s) => ({ value: `segment:${s.id}`, label: `Segment: ${s.name}` })), ...lists.map((l) => ({ value: `list:${l.id}`, label: `List: ${l.name}` }))]} />
            <button type="submit" className="button" disabled={send.pending || !to}>
              Send the post
            </button>
          </form>
        )}
      </LoadState>
      <FormError error={send.error} />
    </section>
  );
}

// ---- calendar, redirects, settings -----------------------------------------------------------

function CalendarPage() {
  const state = useLoad(() => Promise.all([blogApi.calendar(), blogApi.authors()]).then(([c, a]) => ({ items: c.items, authors: a.authors })), []);
  const { can } = useSession();
  const add = useFormAction(async (f) => {
    const item = await blogApi.saveCalendar(null, { title: f.text('title'), dueOn: f.text('dueOn'), ownerId: f.text('ownerId') || null });
    state.setData((d) => ({ ...d, items: [...d.items, item].sort((a, b) => a.dueOn.localeCompare(b.dueOn)) }));
  }, { reset: true });
  const toggle = useAction(async (item: { id: string; title: string; dueOn: string; ownerId: string | null; done: boolean }) => {
    const saved = await blogApi.saveCalendar(item.id, { title: item.title, dueOn: item.dueOn, ownerId: item.ownerId, done: !item.done });
    state.setData((d) => ({ ...d, items: d.items.map((x) => (x.id === saved.id ? saved : x)) }));
  });
  return (
    <>
      <PageHeader title="Editorial calendar" intro="Planned posts, who writes them and when they are due." />
      <BlogNav />
      <LoadState state={state} label="Loading the calendar…">
        {({ items, authors }) => (
          <>
            {items.length === 0 ? (
              <EmptyState title="Nothing planned">
                <p>Plan your next posts below: one a week keeps search traffic growing.</p>
              </EmptyState>
            ) : (
              <ul className="plain-list">
                {items.map((i) => (
                  <li key={i.id} className="list-row">
                    <span>
                      <strong>{i.dueOn}</strong> · {i.title} · {authors.find((a) => a.id === i.ownerId)?.name ?? 'no owner'} {i.done ? <span className="badge good">Done</span> : null}
                    </span>
                    {can('content.write') ? (
                      <button type="button" className="button small" onClick={() => void toggle.run(i)}>
                        {i.done ? 'Reopen' : 'Mark done'}
                        <span className="visually-hidden"> {i.title}</span>
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {can('content.write') ? (
              <form className="card section stack" aria-label="Plan a post" onSubmit={(e) => void add.onSubmit(e)}>
                <h2>Plan a post</h2>
                <TextField label="Working title" name="title" required maxLength={200} />
                <TextField label="Due on" name="dueOn" type="date" required />
                <SelectField label="Owner" name="ownerId" defaultValue="" options={[{ value: '', label: 'Nobody yet' }, ...authors.map((a) => ({ value: a.id, label: a.name }))]} />
                <button type="submit" className="button primary" disabled={add.pending}>
                  Add to the calendar
                </button>
                <FormError error={add.error ?? toggle.error} />
              </form>
            ) : null}
          </>
        )}
      </LoadState>
    </>
  );
}

function RedirectsPage() {
  const state = useLoad(() => blogApi.redirects(), []);
  const { can } = useSession();
  const add = useFormAction(async (f) => {
    const r = await blogApi.saveRedirect({ from: f.text('from'), to: f.text('to') });
    state.setData((d) => ({ redirects: [r, ...d.redirects.filter((x) => x.fromPath !== r.fromPath)] }));
  }, { reset: true });
  const remove = useAction(async (id: string) => {
    await blogApi.removeRedirect(id);
    state.setData((d) => ({ redirects: d.redirects.filter((x) => x.id !== id) }));
  });
  return (
    <>
      <PageHeader title="Redirects" intro="Old addresses that send visitors and search engines on (301). A published post whose address changes gets one by itself." />
      <BlogNav />
      <LoadState state={state} label="Loading redirects…">
        {({ redirects }) =>
          redirects.length === 0 ? (
            <EmptyState title="No redirects">
              <p>When you change a published post's address, its old address is redirected here automatically.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="stack-on-phone">
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Made</th>
                    <th scope="col">Hits</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {redirects.map((r) => (
                    <tr key={r.id}>
                      <td data-label="From">{r.fromPath}</td>
                      <td data-label="To">{r.toPath}</td>
                      <td data-label="Made">{r.automatic ? 'by an address change' : 'by hand'}</td>
                      <td data-label="Hits">{r.hits}</td>
                      <td>
                        {can('content.redirects') ? (
                          <button type="button" className="button small danger-text" onClick={() => void remove.run(r.id)}>
                            Remove<span className="visually-hidden"> redirect from {r.fromPath}</span>
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
      {can('content.redirects') ? (
        <form className="card section inline-form" aria-label="Add a redirect" onSubmit={(e) => void add.onSubmit(e)}>
          <TextField label="From (a path on this site)" name="from" required placeholder="/old-post" error={add.fieldErrors.from} />
          <TextField label="To" name="to" required placeholder="/blog/new-post" error={add.fieldErrors.to} />
          <button type="submit" className="button primary" disabled={add.pending}>
            Add redirect
          </button>
        </form>
      ) : null}
      <FormError error={add.error ?? remove.error} />
    </>
  );
}

const policyRoles = [
  { role: 'admin', label: 'Admins' },
  { role: 'content', label: 'Content assistants' },
  { role: 'marketing', label: 'Marketing assistants' },
] as const;

function SettingsPage() {
  const state = useLoad(() => blogApi.settings(), []);
  if (!useSession().can('content.settings')) return <Forbidden />;
  return (
    <>
      <PageHeader title="Blog settings" intro="Who publishes without you, and what search engines may read." />
      <BlogNav />
      <LoadState state={state} label="Loading settings…">
        {(settings) => <SettingsForm settings={settings} onSaved={(s) => state.setData(() => s)} />}
      </LoadState>
    </>
  );
}

function SettingsForm({ settings, onSaved }: { settings: BlogSettings; onSaved(s: BlogSettings): void }) {
  const [saved, setSaved] = useState(false);
  const save = useFormAction(async (f) => {
    setSaved(false);
    const policies = Object.fromEntries(
      policyRoles.map(({ role }) => {
        const mode = f.text(`policy-${role}`);
        const tags = f.text(`tags-${role}`).split(',').map((t) => t.trim()).filter(Boolean);
        return [role, mode === 'tags' ? { mode, tags } : { mode }];
      }),
    ) as BlogSettings['policies'];
    const s = await blogApi.saveSettings({
      title: f.text('title'),
      description: f.text('description'),
      policies,
      robots: { blockAll: f.checked('blockAll'), disallow: f.text('disallow').split('\n').map((l) => l.trim()).filter(Boolean) },
    });
    onSaved(s);
    setSaved(true);
  });
  return (
    <form className="card section stack" aria-label="Blog settings" onSubmit={(e) => void save.onSubmit(e)}>
      <TextField label="Blog title" name="title" defaultValue={settings.title} required maxLength={100} />
      <TextAreaField label="Description" name="description" defaultValue={settings.description} maxLength={300} />
      <fieldset>
        <legend>Publishing policy per role</legend>
        {policyRoles.map(({ role, label }) => {
          const p = settings.policies[role];
          return (
            <div key={role} className="two-columns">
              <SelectField
                label={label}
                name={`policy-${role}`}
                defaultValue={p.mode}
                options={[
                  { value: 'free', label: 'Publish freely' },
                  { value: 'approval', label: 'Publish after my approval' },
                  { value: 'tags', label: 'Publish freely within these tags' },
                ]}
              />
              <TextField label={`Tags ${label.toLowerCase()} publish freely`} name={`tags-${role}`} defaultValue={p.mode === 'tags' ? p.tags.join(', ') : ''} hint="Only for “within these tags”; comma separated." />
            </div>
          );
        })}
      </fieldset>
      <fieldset>
        <legend>robots.txt</legend>
        <TextAreaField label="Also keep crawlers away from (one path a line)" name="disallow" defaultValue={settings.robots.disallow.join('\n')} hint="The admin, the API, accounts and checkout are always disallowed." />
        <CheckboxField label="Ask every crawler to stay away (a staging copy)" name="blockAll" defaultChecked={settings.robots.blockAll} />
      </fieldset>
      <button type="submit" className="button primary" disabled={save.pending}>
        Save settings
      </button>
      <FormError error={save.error} />
      <FormNotice>{saved ? 'Saved.' : null}</FormNotice>
    </form>
  );
}
