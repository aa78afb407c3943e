// Pages: the store's name, every page, and the block editor with a live preview rendered by
// the server through the same components visitors get.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { Forbidden } from '../../components/forbidden.js';
import { SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { RichTextEditor } from '../../components/rich-text-editor.js';
import { SortableList } from '../../components/sortable-list.js';
import { Time } from '../../components/time.js';
import { ApiError } from '../../api.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { catalogApi } from '../products/catalog-api.js';
import { slugify } from '../products/products-page.js';
import { useSession } from '../../session.js';
import { siteApi, type Block, type BlockType, type FormChoice, type PageContent, type SitePage } from './site-api.js';

export default function PagesArea() {
  // Every role may read pages (catalog.read), but only pages.write may open the editor: its
  // controls all write, so a role without it is told so rather than shown buttons it would be refused.
  if (!useSession().can('pages.write')) return <Forbidden />;
  return (
    <Routes>
      <Route index element={<PagesPage />} />
      <Route path=":id" element={<PageEditor />} />
    </Routes>
  );
}

function PagesPage() {
  const state = useLoad(() => Promise.all([siteApi.pages(), catalogApi.products({}), siteApi.settings()]).then(([p, c, s]) => ({ pages: p.pages, products: c.products, settings: s })), []);
  const navigate = useNavigate();
  const [saved, setSaved] = useState(false);
  const saveSettings = useFormAction(async (f) => {
    setSaved(false);
    const s = await siteApi.saveSettings({ name: f.text('name'), tagline: f.text('tagline') });
    state.setData((d) => ({ ...d, settings: s }));
    setSaved(true);
  });
  const create = useAction(async (body: { slug: string; kind: 'sales' | 'landing'; productId?: string }) => {
    const page = await siteApi.create(body);
    navigate(`/pages/${page.id}`);
  });
  const [landing, setLanding] = useState('');
  return (
    <>
      <PageHeader title="Pages" intro="Sales pages for your products and landing pages, built from blocks. Visitors see the published version; the editor shows a live preview of your draft." />
      <LoadState state={state} label="Loading pages…">
        {({ pages, products, settings }) => {
          const withoutPage = products.filter((p) => !pages.some((x) => x.productId === p.id));
          const productName = (id: string | null) => products.find((p) => p.id === id)?.name;
          return (
            <>
              <section className="card section" aria-labelledby="pages-list">
                <h2 id="pages-list">Your pages</h2>
                {pages.length === 0 ? (
                  <EmptyState title="No pages yet">
                    <p>Every published product already has a simple page (name, summary, prices). Write a sales page to say more.</p>
                  </EmptyState>
                ) : (
                  <div className="table-wrap">
                    <table className="stack-on-phone">
                      <thead>
                        <tr>
                          <th scope="col">Page</th>
                          <th scope="col">Address</th>
                          <th scope="col">Sells</th>
                          <th scope="col">Status</th>
                          <th scope="col">Edited</th>
                        </tr>
                      </thead>
                      <tbody>
                        {pages.map((p) => (
                          <tr key={p.id}>
                            <td data-label="Page">
                              <Link to={`/pages/${p.id}`}>
                                <strong>{p.draft.title}</strong>
                              </Link>
                              {p.warnings.map((w) => (
                                <p key={w} className="field-error small">
                                  <span className="badge warn">Needs you</span> {w}
                                </p>
                              ))}
                            </td>
                            <td data-label="Address">
                              {p.status === 'published' ? (
                                <a href={p.url} target="_blank" rel="noreferrer">
                                  {p.url}
                                </a>
                              ) : (
                                <span className="muted">{p.url}</span>
                              )}
                            </td>
                            <td data-label="Sells">{productName(p.productId) ?? <span className="muted">Landing page</span>}</td>
                            <td data-label="Status">{p.status === 'published' ? <span className="badge good">Published</span> : <span className="badge warn">Draft</span>}</td>
                            <td data-label="Edited">
                              <Time iso={p.updatedAt} style="relative" />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
                <FormError error={create.error} />
              </section>
              <div className="two-columns">
                <section className="card section" aria-labelledby="new-page">
                  <h2 id="new-page">New page</h2>
                  {withoutPage.length ? (
                    <>
                      <h3>A sales page for</h3>
                      <ul className="plain-list">
                        {withoutPage.map((p) => (
                          <li key={p.id} className="list-row">
                            <span>{p.name}</span>
                            <button type="button" className="button small" disabled={create.pending} onClick={() => void create.run({ slug: p.slug, kind: 'sales', productId: p.id })}>
                              Write it<span className="visually-hidden"> for {p.name}</span>
                            </button>
                          </li>
                        ))}
                      </ul>
                    </>
                  ) : null}
                  <form
                    className="inline-form"
                    style={{ marginTop: 16 }}
                    onSubmit={(e) => {
                      e.preventDefault();
                      void create.run({ slug: slugify(landing), kind: 'landing' });
                    }}
                  >
                    <TextField label="A landing page called" value={landing} onChange={(e) => setLanding(e.target.value)} required hint={landing ? `At /p/${slugify(landing)}` : 'For a webinar, a free guide, a launch…'} />
                    <button type="submit" className="button" disabled={create.pending || !slugify(landing)}>
                      Create
                    </button>
                  </form>
                </section>
                <section className="card section" aria-labelledby="store-settings">
                  <h2 id="store-settings">Your store</h2>
                  <form className="stack" onSubmit={saveSettings.onSubmit}>
                    <TextField label="Store name" name="name" defaultValue={settings.name} required maxLength={100} hint="At the top of every public page and in link previews." />
                    <TextField label="Tagline" name="tagline" defaultValue={settings.tagline} maxLength={300} hint="Under the name on the store page." />
                    <FormError error={saveSettings.error} />
                    <FormNotice>{saved ? 'Saved. The store shows it at once.' : null}</FormNotice>
                    <div>
                      <button type="submit" className="button" disabled={saveSettings.pending}>
                        Save
                      </button>{' '}
                      <a href="/" target="_blank" rel="noreferrer">
                        View the store
                      </a>
                    </div>
                  </form>
                </section>
              </div>
            </>
          );
        }}
      </LoadState>
    </>
  );
}

// ---- the editor ---------------------------------------------------------------------------------------

const blockLabels: Record<BlockType, string> = {
  hero: 'Hero',
  richText: 'Rich text',
  media: 'Image or video',
  bullets: 'Bullet list',
  testimonial: 'Testimonial',
  pricing: 'Pricing and buy buttons',
  faq: 'Questions (FAQ)',
  optin: 'Opt-in form',
  contact: 'Contact form (to the inbox)',
  guarantee: 'Guarantee',
  logos: 'Logos (featured in, clients)',
  stats: 'Numbers (students, rating)',
};

function newBlock(type: BlockType): Block {
  const id = `b${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const defaults: Record<BlockType, Record<string, unknown>> = {
    hero: { heading: 'Your headline', subheading: '', ctaLabel: 'Get it now' },
    richText: { html: '<p>Write here.</p>' },
    media: { kind: 'image', url: 'https://', alt: '', caption: '' },
    bullets: { heading: 'What you get', items: ['The first thing'] },
    testimonial: { quote: 'What a student said.', author: 'Name', role: '' },
    pricing: { heading: '', ctaLabel: '' },
    faq: { heading: 'Questions', items: [{ question: 'A question people ask?', answer: 'The answer.' }] },
    optin: { heading: 'Get the free guide', text: '', buttonLabel: '' },
    contact: { heading: 'Questions? Write to us', text: '', buttonLabel: '', askSubject: false },
    guarantee: { heading: '', text: 'If it is not for you, write within 30 days for a full refund.', days: 30 },
    logos: { heading: 'As featured in', items: [{ name: 'A place that featured you' }] },
    stats: { heading: '', items: [{ value: '1,000+', label: 'students' }] },
  };
  return { id, type, ...defaults[type] } as Block;
}

/** Optional addresses left empty are left out, so the server sees no address rather than an empty one. */
function cleanContent(c: PageContent): PageContent {
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k, v]) => !((k === 'imageUrl' || k === 'ogImage' || k === 'action' || k === 'formId') && (v === '' || v === undefined))));
  return { ...(drop(c as unknown as Record<string, unknown>) as unknown as PageContent), blocks: c.blocks.map((b) => drop(b) as Block) };
}

function PageEditor() {
  const { id = '' } = useParams();
  const state = useLoad(() => Promise.all([siteApi.page(id), siteApi.forms()]).then(([page, f]) => ({ page, forms: f.forms })), [id]);
  return (
    <LoadState state={state} label="Loading the page…">
      {({ page, forms }) => <Editor key={page.id} page={page} forms={forms} onSaved={(p) => state.setData((d) => ({ ...d, page: p }))} />}
    </LoadState>
  );
}

/** What visitors would see instead of the form, for an opt-in block; null when the form is live. */
export function optinProblem(block: Block, forms: FormChoice[]): string | null {
  const formId = typeof block.formId === 'string' ? block.formId : '';
  if (!formId) return 'No form chosen: visitors see “This sign-up form is no longer available”.';
  const form = forms.find((f) => f.id === formId);
  if (!form) return 'The form of this block was deleted: choose another, or visitors see “This sign-up form is no longer available”.';
  if (form.archived) return `The form “${form.name}” is archived: choose another or restore it, or visitors see “This sign-up form is no longer available”.`;
  return null;
}

function Editor({ page, forms, onSaved }: { page: SitePage; forms: FormChoice[]; onSaved(p: SitePage): void }) {
  const [content, setContent] = useState<PageContent>(() => ({ ...page.draft, description: page.draft.description ?? '', blocks: page.draft.blocks ?? [] }));
  const [slug, setSlug] = useState(page.slug);
  const [dirty, setDirty] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [addType, setAddType] = useState<BlockType>('richText');
  const navigate = useNavigate();
  const confirm = useConfirm();
  const change = (next: PageContent) => {
    setContent(next);
    setDirty(true);
    setNotice(null);
  };
  const setBlock = (i: number, b: Block) => change({ ...content, blocks: content.blocks.map((x, j) => (j === i ? b : x)) });
  const move = (i: number, by: number) => {
    const blocks = [...content.blocks];
    const [b] = blocks.splice(i, 1);
    blocks.splice(i + by, 0, b!);
    change({ ...content, blocks });
  };

  // Live preview: the server renders the unsaved draft through the public components.
  const [device, setDevice] = useState<'desktop' | 'phone'>('desktop');
  const [preview, setPreview] = useState<{ html: string; error: string | null }>({ html: '', error: null });
  const cleaned = useMemo(() => cleanContent(content), [content]);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      siteApi.preview(cleaned, page.productId).then(
        (r) => live && setPreview({ html: r.html, error: null }),
        (err: unknown) => live && setPreview((p) => ({ html: p.html, error: err instanceof ApiError ? err.message : 'The preview could not be rendered' })),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [cleaned, page.productId]);

  const save = useAction(async (then?: 'publish') => {
    let saved = await siteApi.save(page.id, { slug: slug !== page.slug ? slug : undefined, draft: cleaned });
    if (then === 'publish') saved = await siteApi.publish(page.id);
    onSaved(saved);
    setDirty(false);
    setNotice(then === 'publish' ? 'Published: visitors see it now.' : 'Draft saved. Visitors still see the published version until you publish.');
  });
  const unpublish = useAction(async () => {
    onSaved(await siteApi.unpublish(page.id));
    setNotice('Unpublished.');
  });
  const remove = useAction(async () => {
    if (!(await confirm({ title: 'Delete this page?', body: <p>It goes offline at once{page.productId ? '; the product falls back to its simple page' : ''}.</p>, confirmLabel: 'Delete', danger: true }))) return;
    await siteApi.remove(page.id);
    navigate('/pages');
  });

  return (
    <>
      <PageHeader
        title={content.title || 'Untitled page'}
        intro={
          <>
            {page.status === 'published' ? <span className="badge good">Published</span> : <span className="badge warn">Draft</span>} {dirty ? <span className="badge">Unsaved changes</span> : null} ·{' '}
            <a href={`/p/${page.slug}`} target="_blank" rel="noreferrer">
              /p/{page.slug}
            </a>{' '}
            · <Link to="/pages">All pages</Link>
          </>
        }
        actions={
          <div className="button-row">
            <button type="button" className="button" disabled={save.pending || !dirty} onClick={() => void save.run()}>
              Save draft
            </button>
            <button type="button" className="button primary" disabled={save.pending} onClick={() => void save.run('publish')}>
              {save.pending ? 'Saving…' : 'Publish'}
            </button>
          </div>
        }
      />
      <FormError error={save.error ?? unpublish.error ?? remove.error} />
      <FormNotice>{notice}</FormNotice>
      {content.blocks.some((b) => b.type === 'optin' && optinProblem(b, forms)) ? (
        <p className="notice" role="status">
          An opt-in block on this page has no live form: see the block marked below.
        </p>
      ) : null}
      <div className="editor">
        <div>
          <section className="card section" aria-labelledby="page-meta">
            <h2 id="page-meta">Page</h2>
            <div className="stack">
              <TextField label="Title" value={content.title} onChange={(e) => change({ ...content, title: e.target.value })} required maxLength={200} hint="The browser tab and search results." />
              <TextAreaField label="Description" value={content.description} onChange={(e) => change({ ...content, description: e.target.value })} maxLength={400} hint="Search results and link previews." />
              <TextField label="Share image (https://, optional)" type="url" value={content.ogImage ?? ''} onChange={(e) => change({ ...content, ogImage: e.target.value })} />
              <TextField
                label="Address"
                value={slug}
                onChange={(e) => {
                  setSlug(e.target.value);
                  setDirty(true);
                }}
                hint={`/p/${slug}`}
              />
            </div>
          </section>
          <section aria-labelledby="page-blocks">
            <h2 id="page-blocks">Blocks</h2>
            {content.blocks.length === 0 ? <p className="muted">No blocks yet: add the first one below.</p> : null}
            {content.blocks.length > 1 ? <p className="muted small">Drag a block by its ⠿ handle, or focus the handle, press Space, move with the arrow keys and press Space again.</p> : null}
            <SortableList
              as="div"
              items={content.blocks}
              idOf={(b) => b.id}
              nameOf={(b) => `block ${content.blocks.indexOf(b) + 1}, ${blockLabels[b.type]}`}
              onReorder={(blocks) => change({ ...content, blocks })}
              renderItem={(b, handle, i) => (
                <fieldset className="block-card">
                  <legend>
                    {handle} {i + 1}. {blockLabels[b.type]}
                  </legend>
                  <BlockFields block={b} forms={forms} onChange={(next) => setBlock(i, next)} />
                  <div className="button-row" style={{ marginTop: 10 }}>
                    <button type="button" className="button small" disabled={i === 0} onClick={() => move(i, -1)}>
                      Move up<span className="visually-hidden"> block {i + 1}</span>
                    </button>
                    <button type="button" className="button small" disabled={i === content.blocks.length - 1} onClick={() => move(i, 1)}>
                      Move down<span className="visually-hidden"> block {i + 1}</span>
                    </button>
                    <button type="button" className="button small danger-text" onClick={() => change({ ...content, blocks: content.blocks.filter((x) => x.id !== b.id) })}>
                      Remove<span className="visually-hidden"> block {i + 1}</span>
                    </button>
                  </div>
                </fieldset>
              )}
            />
            <div className="inline-form card">
              <SelectField label="Add a block" value={addType} onChange={(e) => setAddType(e.target.value as BlockType)} options={(Object.keys(blockLabels) as BlockType[]).map((t) => ({ value: t, label: blockLabels[t] }))} />
              <button type="button" className="button" onClick={() => change({ ...content, blocks: [...content.blocks, newBlock(addType)] })}>
                Add block
              </button>
            </div>
          </section>
          <p style={{ marginTop: 20 }}>
            {page.status === 'published' ? (
              <button type="button" className="button" disabled={unpublish.pending} onClick={() => void unpublish.run()}>
                Unpublish
              </button>
            ) : null}{' '}
            <button type="button" className="button danger-text" disabled={remove.pending} onClick={() => void remove.run()}>
              Delete page
            </button>
          </p>
        </div>
        <section className="editor-preview card" aria-labelledby="preview-title">
          <div className="section-head">
            <h2 id="preview-title">Preview</h2>
            <span className="muted small">as visitors will see it</span>
            <span className="button-row" role="group" aria-label="Preview size">
              {(['desktop', 'phone'] as const).map((d) => (
                <button key={d} type="button" className={`button small ${device === d ? 'primary' : 'subtle'}`} aria-pressed={device === d} onClick={() => setDevice(d)}>
                  {d === 'desktop' ? 'Desktop' : 'Phone'}
                </button>
              ))}
            </span>
          </div>
          {preview.error ? (
            <p className="form-error" role="alert">
              {preview.error}
            </p>
          ) : null}
          <PreviewFrame html={preview.html} device={device} />
        </section>
      </div>
    </>
  );
}

/**
 * The preview, sandboxed: no scripts run and nothing navigates out of the frame. It keeps this
 * site's origin only so the page's stylesheet loads under the admin's Content-Security-Policy.
 */
function PreviewFrame({ html, device }: { html: string; device: 'desktop' | 'phone' }) {
  // The phone frame is 390 CSS pixels wide (a current iPhone), so the page's own media queries apply.
  return (
    <div className={device === 'phone' ? 'phone-frame' : undefined}>
      <iframe className="preview-frame" sandbox="allow-same-origin" srcDoc={html} title={device === 'phone' ? 'Preview of the page on a phone' : 'Preview of the page'} />
    </div>
  );
}

/** An image address typed in, or uploaded to the file storage (PNG, JPEG, WebP or GIF up to 5 MB), with a thumbnail. */
function ImageField({ label, value, onChange }: { label: string; value: string; onChange(url: string): void }) {
  const upload = useAction(async (file: File) => onChange((await siteApi.uploadImage(file)).url));
  const shown = value.startsWith('/media/') || /^https:\/\/[^\s]+$/.test(value);
  return (
    <div className="image-field">
      <TextField label={label} value={value} onChange={(e) => onChange(e.target.value)} hint="An https:// address, or upload an image below." />
      <div className="field">
        <label>
          Upload an image<span className="visually-hidden"> for {label}</span>
          <input type="file" accept="image/png,image/jpeg,image/webp,image/gif" disabled={upload.pending} onChange={(e) => e.target.files?.[0] && void upload.run(e.target.files[0])} />
        </label>
        <p className="field-hint">PNG, JPEG, WebP or GIF, up to 5 MB.{upload.pending ? ' Uploading…' : ''}</p>
      </div>
      <FormError error={upload.error} />
      {shown ? <img className="image-thumb" src={value} alt="" /> : null}
    </div>
  );
}

// ---- one block's fields --------------------------------------------------------------------------------

function BlockFields({ block, forms, onChange }: { block: Block; forms: FormChoice[]; onChange(b: Block): void }) {
  const text = (name: string) => (typeof block[name] === 'string' ? (block[name] as string) : '');
  const set = (name: string, value: unknown) => onChange({ ...block, [name]: value });
  const input = (name: string, label: string, hint?: string, type = 'text') => <TextField label={label} type={type} value={text(name)} onChange={(e) => set(name, e.target.value)} hint={hint} />;
  const area = (name: string, label: string, hint?: string, code = false) => (
    <TextAreaField label={label} value={text(name)} onChange={(e) => set(name, e.target.value)} hint={hint} rows={code ? 8 : 3} className={code ? 'code-area' : undefined} />
  );
  switch (block.type) {
    case 'hero':
      return (
        <div className="stack">
          {input('heading', 'Headline')}
          {area('subheading', 'Line under it')}
          <ImageField label="Image (optional)" value={text('imageUrl')} onChange={(url) => set('imageUrl', url)} />
          {input('ctaLabel', 'Button text', 'The button scrolls to the prices. Empty: no button.')}
        </div>
      );
    case 'richText':
      return (
        <RichTextEditor
          label="Text"
          html={text('html')}
          onChange={(html) => set('html', html)}
          hint="Headings, bold, italics, links, lists, quotes and images. Anything else is removed when saved."
          uploadImage={async (file) => (await siteApi.uploadImage(file)).url}
        />
      );
    case 'media':
      return (
        <div className="stack">
          <SelectField label="Kind" value={text('kind') || 'image'} onChange={(e) => set('kind', e.target.value)} options={[{ value: 'image', label: 'Image' }, { value: 'video', label: 'Video (YouTube, Vimeo or an https video file)' }]} />
          {block.kind === 'video' ? input('url', 'Address (https:// or /path)', undefined, 'url') : <ImageField label="Image" value={text('url') === 'https://' ? '' : text('url')} onChange={(url) => set('url', url)} />}
          {input('alt', block.kind === 'video' ? 'Title of the video' : 'What the image shows (for people who cannot see it)')}
          {input('caption', 'Caption (optional)')}
        </div>
      );
    case 'bullets':
      return (
        <div className="stack">
          {input('heading', 'Heading (optional)')}
          <TextAreaField
            label="Points, one per line"
            rows={5}
            value={Array.isArray(block.items) ? (block.items as string[]).join('\n') : ''}
            onChange={(e) => set('items', e.target.value.split('\n').filter((l, i, all) => l.trim() || i === all.length - 1))}
          />
        </div>
      );
    case 'testimonial':
      return (
        <div className="stack">
          {area('quote', 'What they said')}
          {input('author', 'Who')}
          {input('role', 'Their role (optional)')}
          <ImageField label="Photo (optional)" value={text('imageUrl')} onChange={(url) => set('imageUrl', url)} />
        </div>
      );
    case 'pricing':
      return (
        <div className="stack">
          {input('heading', 'Heading', 'Empty: “Get it now”.')}
          {input('ctaLabel', 'Button text', 'Empty: “Buy now”. Shows every active price of the product.')}
        </div>
      );
    case 'faq': {
      const items = (Array.isArray(block.items) ? block.items : []) as { question: string; answer: string }[];
      return (
        <div className="stack">
          {input('heading', 'Heading', 'Empty: “Questions”.')}
          <ItemRows items={items} onChange={(next) => set('items', next)} noun="question" addLabel="Add a question" blank={{ question: '', answer: '' }}>
            {(item, i, update) => (
              <>
                <TextField label={`Question ${i + 1}`} value={item.question} onChange={(e) => update({ question: e.target.value })} />
                <TextAreaField label={`Answer ${i + 1}`} value={item.answer} onChange={(e) => update({ answer: e.target.value })} />
              </>
            )}
          </ItemRows>
        </div>
      );
    }
    case 'logos': {
      const items = (Array.isArray(block.items) ? block.items : []) as { name: string; imageUrl?: string }[];
      return (
        <div className="stack">
          {input('heading', 'Heading (optional)', 'For example “As featured in” or “Trusted by”.')}
          <ItemRows items={items} onChange={(next) => set('items', next)} noun="logo" addLabel="Add a logo" blank={{ name: '' }} max={12}>
            {(item, i, update) => (
              <>
                <TextField label={`Name ${i + 1}`} value={item.name} onChange={(e) => update({ name: e.target.value })} hint="Shown as text when there is no image, and read out to people who cannot see it." />
                <ImageField label={`Logo ${i + 1} (optional)`} value={item.imageUrl ?? ''} onChange={(url) => update({ imageUrl: url || undefined })} />
              </>
            )}
          </ItemRows>
        </div>
      );
    }
    case 'stats': {
      const items = (Array.isArray(block.items) ? block.items : []) as { value: string; label: string }[];
      return (
        <div className="stack">
          {input('heading', 'Heading (optional)')}
          <ItemRows items={items} onChange={(next) => set('items', next)} noun="number" addLabel="Add a number" blank={{ value: '', label: '' }} max={6}>
            {(item, i, update) => (
              <>
                <TextField label={`Number ${i + 1}`} value={item.value} maxLength={20} onChange={(e) => update({ value: e.target.value })} hint="Up to 20 characters: “4,200+”, “4.9 ★”." />
                <TextField label={`What it counts ${i + 1}`} value={item.label} onChange={(e) => update({ label: e.target.value })} />
              </>
            )}
          </ItemRows>
        </div>
      );
    }
    case 'optin':
      return (
        <div className="stack">
          {input('heading', 'Heading')}
          {area('text', 'Text (optional)')}
          <OptinFormPicker block={block} forms={forms} onChange={onChange} />
          {input('buttonLabel', 'Button text (optional)', 'Empty: the form’s own button text.')}
        </div>
      );
    case 'contact':
      return (
        <div className="stack">
          {input('heading', 'Heading')}
          {area('text', 'Text (optional)')}
          {input('buttonLabel', 'Button text (optional)', 'Empty: “Send”.')}
          <label>
            <input type="checkbox" checked={block.askSubject === true} onChange={(e) => set('askSubject', e.target.checked)} /> Ask for a subject
          </label>
          <p className="hint">Messages arrive in the Inbox as conversations (channel: site).</p>
        </div>
      );
    case 'guarantee':
      return (
        <div className="stack">
          {input('heading', 'Heading (optional)')}
          {area('text', 'Your promise')}
          <TextField label="Days (optional)" type="number" min={1} max={365} value={typeof block.days === 'number' ? String(block.days) : ''} onChange={(e) => set('days', e.target.value ? Number(e.target.value) : undefined)} />
        </div>
      );
  }
}

/** A block's repeated rows (FAQ questions, logos, numbers): each with its fields and a remove button, and an add button up to `max`. */
function ItemRows<T extends object>({ items, onChange, noun, addLabel, blank, max, children }: { items: T[]; onChange(next: T[]): void; noun: string; addLabel: string; blank: T; max?: number; children(item: T, i: number, update: (patch: Partial<T>) => void): ReactNode }) {
  return (
    <>
      {items.map((item, i) => (
        <div key={i} className="stack" style={{ borderTop: '1px solid var(--border)', paddingTop: 8 }}>
          {children(item, i, (patch) => onChange(items.map((x, j) => (j === i ? { ...x, ...patch } : x))))}
          <div>
            <button type="button" className="button small danger-text" onClick={() => onChange(items.filter((_, j) => j !== i))}>
              Remove {noun} {i + 1}
            </button>
          </div>
        </div>
      ))}
      {max === undefined || items.length < max ? (
        <div>
          <button type="button" className="button small" onClick={() => onChange([...items, blank])}>
            {addLabel}
          </button>
        </div>
      ) : null}
    </>
  );
}

/** The opt-in block's form: one of the business's forms, or the way to make the first one. */
function OptinFormPicker({ block, forms, onChange }: { block: Block; forms: FormChoice[]; onChange(b: Block): void }) {
  const formId = typeof block.formId === 'string' ? block.formId : '';
  const problem = optinProblem(block, forms);
  const live = forms.filter((f) => !f.archived);
  // Forms live in Contacts: a role without contacts.write (content) is told who can make one, and gets no link it would be refused.
  const mayMakeForms = useSession().can('contacts.write');
  if (live.length === 0 && !formId) {
    return (
      <EmptyState title="You have no sign-up forms yet" action={mayMakeForms ? <Link className="button small" to="/contacts/forms/new">Create a form</Link> : undefined}>
        <p>An opt-in block shows one of your forms (its fields, consent text and spam protection). {mayMakeForms ? 'Create one, then choose it here.' : 'Ask someone who manages Contacts to create one, then choose it here.'}</p>
      </EmptyState>
    );
  }
  const chosen = forms.find((f) => f.id === formId);
  const options = [
    { value: '', label: 'Choose a form…' },
    ...live.map((f) => ({ value: f.id, label: `${f.name} (${f.url})` })),
    ...(chosen?.archived ? [{ value: chosen.id, label: `${chosen.name} (archived)` }] : []),
    ...(formId && !chosen ? [{ value: formId, label: 'A deleted form' }] : []),
  ];
  return (
    <div className="stack">
      <SelectField
        label="Form"
        value={formId}
        onChange={(e) => {
          const { action: _typedPath, ...rest } = block;
          onChange({ ...rest, formId: e.target.value });
        }}
        options={options}
        error={problem ?? undefined}
        hint={chosen && !chosen.archived ? <>Visitors fill in this form on the page; it signs them up as {mayMakeForms ? <Link to={`/contacts/forms/${chosen.id}`}>the form</Link> : 'the form'} does.</> : undefined}
      />
      {mayMakeForms ? (
        <p className="small">
          <Link to="/contacts/forms/new">Create another form</Link>
        </p>
      ) : null}
    </div>
  );
}
