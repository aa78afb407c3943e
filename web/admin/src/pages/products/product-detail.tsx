// One product: its details, status, prices, files, what it includes, its order bumps and
// upsells, and its sales page.
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { describePrice, formatMoney, parseMoney } from '../../lib/money.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { CoursePicker } from '../courses/course-picker.js';
import { siteApi } from '../site/site-api.js';
import { catalogApi, useDefaultCurrency, kindLabels, statusTone, uploadProductFile, type PriceType, type ProductDetail, type ProductStatus, type RefundPolicy } from './catalog-api.js';
import { ProductsNav } from './products-page.js';

const refundPolicyLabels: Record<RefundPolicy, string> = {
  revoke_on_full: 'Revoke access on a full refund (partial refunds keep it)',
  revoke_on_any: 'Revoke access on any refund',
  keep: 'Keep access after a refund',
};

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function money(text: string, currency: string): number {
  try {
    return parseMoney(text, currency);
  } catch {
    throw new Error(`"${text}" is not an amount. Write it like 49 or 49.90.`);
  }
}

export default function ProductDetailPage() {
  const { id = '' } = useParams();
  const state = useLoad(() => catalogApi.product(id), [id]);
  const { can } = useSession();
  const mayWrite = can('catalog.write');
  const [notice, setNotice] = useState<string | null>(null);
  const confirm = useConfirm();

  const setStatus = useAction(async (status: ProductStatus) => {
    setNotice(null);
    if (status === 'archived') {
      const ok = await confirm({ title: 'Take this product off sale?', body: <p>It leaves the store and its checkout closes. Buyers keep what they bought, and you can publish it again later.</p>, confirmLabel: 'Archive', danger: true });
      if (!ok) return;
    }
    const p = await catalogApi.updateProduct(id, { status });
    state.setData(() => p);
    setNotice(status === 'published' ? 'Published: it is in the store and on sale.' : status === 'archived' ? 'Archived: off sale.' : 'Back to draft: off sale.');
  });
  // A refusal to publish ("add at least one active price") is about the product as it was: once
  // the product changes (a price added), the old message would be wrong, so it goes.
  const clearStatusError = setStatus.clearError;
  const product = state.data;
  useEffect(() => clearStatusError(), [product]);

  return (
    <LoadState state={state} label="Loading the product…">
      {(p) => (
        <>
          <PageHeader
            title={p.name}
            intro={
              <>
                {kindLabels[p.kind]} · <span className={`badge ${statusTone[p.status]}`}>{p.status === 'published' ? 'On sale' : p.status === 'draft' ? 'Draft' : 'Archived'}</span> ·{' '}
                {p.status === 'published' ? (
                  <a href={`/p/${p.slug}`} target="_blank" rel="noreferrer">
                    View the sales page
                  </a>
                ) : (
                  <span className="muted">/p/{p.slug}</span>
                )}
              </>
            }
            actions={
              mayWrite ? (
                <div className="button-row">
                  {p.status !== 'published' ? (
                    <button type="button" className="button primary" disabled={setStatus.pending} onClick={() => void setStatus.run('published')}>
                      Publish
                    </button>
                  ) : (
                    <button type="button" className="button" disabled={setStatus.pending} onClick={() => void setStatus.run('draft')}>
                      Unpublish
                    </button>
                  )}
                  {p.status !== 'archived' ? (
                    <button type="button" className="button danger-text" disabled={setStatus.pending} onClick={() => void setStatus.run('archived')}>
                      Archive
                    </button>
                  ) : null}
                </div>
              ) : null
            }
          />
          <ProductsNav />
          <FormError error={setStatus.error} />
          <FormNotice>{notice}</FormNotice>
          <div className="two-columns">
            <DetailsForm product={p} onSaved={(next) => state.setData(() => next)} readOnly={!mayWrite} />
            <div className="stack">
              <PricesPanel product={p} readOnly={!mayWrite} onChanged={state.reload} />
              {p.kind === 'download' ? <FilesPanel product={p} readOnly={!mayWrite} onChanged={state.reload} /> : null}
              {p.kind === 'bundle' || p.kind === 'membership' ? <IncludesPanel product={p} readOnly={!mayWrite} onSaved={(next) => state.setData(() => next)} /> : null}
              <SalesPagePanel product={p} />
            </div>
          </div>
          <OffersPanel product={p} readOnly={!mayWrite} />
        </>
      )}
    </LoadState>
  );
}

function DetailsForm({ product, onSaved, readOnly }: { product: ProductDetail; onSaved(p: ProductDetail): void; readOnly: boolean }) {
  const [saved, setSaved] = useState(false);
  const save = useFormAction(async (f) => {
    setSaved(false);
    const next = await catalogApi.updateProduct(product.id, {
      name: f.text('name'),
      slug: f.text('slug'),
      summary: f.text('summary'),
      imageUrl: f.text('imageUrl').trim() || null,
      refundPolicy: f.text('refundPolicy') as RefundPolicy,
      ...(product.kind === 'course' ? { courseId: f.text('courseId').trim() || null } : {}),
    });
    onSaved(next);
    setSaved(true);
  });
  return (
    <section className="card section" aria-labelledby="details">
      <h2 id="details">Details</h2>
      <form className="stack" onSubmit={save.onSubmit}>
        <fieldset disabled={readOnly} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <TextField label="Name" name="name" defaultValue={product.name} required error={save.fieldErrors.name} />
          <TextField label="Address" name="slug" defaultValue={product.slug} required hint="The sales page is at /p/ followed by this." error={save.fieldErrors.slug} />
          <TextAreaField label="Summary" name="summary" defaultValue={product.summary} maxLength={600} hint="Shown in the store, on receipts and to search engines." />
          <TextField label="Image address" name="imageUrl" type="url" defaultValue={product.imageUrl ?? ''} hint="An https:// image for the store and link previews." error={save.fieldErrors.imageUrl} />
          {product.kind === 'course' ? <CoursePicker label="Course" defaultValue={product.courseId} hint="The course a purchase opens." error={save.fieldErrors.courseId} /> : null}
          <SelectField
            label="When an order is refunded"
            name="refundPolicy"
            defaultValue={product.refundPolicy}
            options={(Object.keys(refundPolicyLabels) as RefundPolicy[]).map((k) => ({ value: k, label: refundPolicyLabels[k] }))}
          />
          <FormError error={save.error} />
          <FormNotice>{saved ? 'Saved. The store shows it at once.' : null}</FormNotice>
          {readOnly ? null : (
            <div>
              <button type="submit" className="button primary" disabled={save.pending}>
                {save.pending ? 'Saving…' : 'Save details'}
              </button>
            </div>
          )}
        </fieldset>
      </form>
    </section>
  );
}

const priceTypeLabels: Record<PriceType, string> = { one_time: 'One-time', subscription: 'Subscription', payment_plan: 'Payment plan' };

function PricesPanel({ product, readOnly, onChanged }: { product: ProductDetail; readOnly: boolean; onChanged(): void }) {
  const [type, setType] = useState<PriceType>('one_time');
  const defaultCurrency = useDefaultCurrency();
  const toggle = useAction(async (priceId: string, active: boolean) => {
    await catalogApi.updatePrice(priceId, { active });
    onChanged();
  });
  const add = useFormAction(
    async (f) => {
      const currency = f.text('currency').trim().toLowerCase() || defaultCurrency;
      const trial = f.text('trialDays').trim();
      await catalogApi.createPrice(product.id, {
        type,
        currency,
        amount: money(f.text('amount'), currency),
        interval: type === 'one_time' ? null : (f.text('interval') as 'month' | 'year'),
        trialDays: type === 'subscription' && trial ? Number(trial) : null,
        instalments: type === 'payment_plan' ? Number(f.text('instalments')) : null,
        label: f.text('label'),
      });
      onChanged();
    },
    { reset: true },
  );
  return (
    <section className="card" aria-labelledby="prices">
      <h2 id="prices">Prices</h2>
      {product.prices.length === 0 ? (
        <p className="muted">No price yet: add one below to sell this product.</p>
      ) : (
        <ul className="plain-list">
          {product.prices.map((p) => (
            <li key={p.id} className="list-row">
              <div>
                <strong className="amount">{describePrice(p)}</strong> {p.label ? <span className="badge">{p.label}</span> : null}{' '}
                {p.active ? null : <span className="badge">Off</span>}
                <div className="muted small">
                  {priceTypeLabels[p.type]} ·{' '}
                  <a href={`/checkout/${p.id}`} target="_blank" rel="noreferrer">
                    checkout link
                  </a>
                </div>
              </div>
              {readOnly ? null : (
                <button type="button" className="button small" disabled={toggle.pending} onClick={() => void toggle.run(p.id, !p.active)}>
                  {p.active ? 'Turn off' : 'Turn on'}
                  <span className="visually-hidden"> {describePrice(p)}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormError error={toggle.error} />
      {readOnly ? null : (
        <form className="stack" onSubmit={add.onSubmit} aria-label="Add a price" style={{ marginTop: 16 }}>
          <h3>Add a price</h3>
          <div className="form-grid">
            <SelectField label="Type" name="type" value={type} onChange={(e) => setType(e.target.value as PriceType)} options={(Object.keys(priceTypeLabels) as PriceType[]).map((k) => ({ value: k, label: priceTypeLabels[k] }))} />
            <TextField label={type === 'payment_plan' ? 'Amount per payment' : type === 'subscription' ? 'Amount per period' : 'Amount'} name="amount" inputMode="decimal" required placeholder="49.00" error={add.fieldErrors.amount} />
            <TextField key={defaultCurrency} label="Currency" name="currency" defaultValue={defaultCurrency} maxLength={3} hint="Three letters: usd, eur, gbp… Starts as your business’s currency (Settings)." error={add.fieldErrors.currency} />
            {type !== 'one_time' ? <SelectField label="Every" name="interval" defaultValue="month" options={[{ value: 'month', label: 'Month' }, { value: 'year', label: 'Year' }]} /> : null}
            {type === 'subscription' ? <TextField label="Free trial (days, optional)" name="trialDays" type="number" min={1} max={365} error={add.fieldErrors.trialDays} /> : null}
            {type === 'payment_plan' ? <TextField label="Number of payments" name="instalments" type="number" min={2} max={36} defaultValue="3" required error={add.fieldErrors.instalments} /> : null}
            <TextField label="Label (optional)" name="label" maxLength={60} placeholder="Best value" />
          </div>
          <FormError error={add.error} />
          <div>
            <button type="submit" className="button" disabled={add.pending}>
              {add.pending ? 'Adding…' : 'Add price'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function FilesPanel({ product, readOnly, onChanged }: { product: ProductDetail; readOnly: boolean; onChanged(): void }) {
  const { state } = useSession();
  const input = useRef<HTMLInputElement>(null);
  const confirm = useConfirm();
  const upload = useAction(async () => {
    const files = [...(input.current?.files ?? [])];
    if (!files.length) throw new Error('Choose a file first');
    for (const f of files) await uploadProductFile(product.id, f, state.csrfToken);
    if (input.current) input.current.value = '';
    onChanged();
  });
  const remove = useAction(async (fileId: string, name: string) => {
    if (!(await confirm({ title: `Remove ${name}?`, body: <p>Buyers can no longer download it. Upload a new version first if you are replacing it.</p>, confirmLabel: 'Remove', danger: true }))) return;
    await catalogApi.removeFile(product.id, fileId);
    onChanged();
  });
  return (
    <section className="card" aria-labelledby="files">
      <h2 id="files">Files</h2>
      {product.files.length === 0 ? (
        <p className="muted">No files yet. Buyers download what you upload here from their account, through links that expire.</p>
      ) : (
        <ul className="plain-list">
          {product.files.map((f) => (
            <li key={f.id} className="list-row">
              <div>
                <strong className="break">{f.name}</strong>
                <div className="muted small">
                  {sizeText(f.size)} · {f.contentType} · <Time iso={f.createdAt} style="date" />
                </div>
              </div>
              {readOnly ? null : (
                <button type="button" className="button small danger-text" disabled={remove.pending} onClick={() => void remove.run(f.id, f.name)}>
                  Remove<span className="visually-hidden"> {f.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormError error={remove.error ?? upload.error} />
      {readOnly ? null : (
        <form
          className="inline-form"
          style={{ marginTop: 16 }}
          onSubmit={(e) => {
            e.preventDefault();
            void upload.run();
          }}
        >
          <div className="field">
            <label htmlFor="file-upload">Upload files</label>
            <input id="file-upload" ref={input} type="file" multiple />
          </div>
          <button type="submit" className="button" disabled={upload.pending}>
            {upload.pending ? 'Uploading…' : 'Upload'}
          </button>
        </form>
      )}
    </section>
  );
}

function IncludesPanel({ product, readOnly, onSaved }: { product: ProductDetail; readOnly: boolean; onSaved(p: ProductDetail): void }) {
  const all = useLoad(() => catalogApi.products({}), []);
  const [chosen, setChosen] = useState<string[]>(product.includes.map((i) => i.id));
  const save = useAction(async () => onSaved(await catalogApi.updateProduct(product.id, { includes: chosen })));
  return (
    <section className="card" aria-labelledby="includes">
      <h2 id="includes">{product.kind === 'membership' ? 'Members get' : 'The bundle contains'}</h2>
      <LoadState state={all}>
        {({ products }) => {
          const candidates = products.filter((p) => p.id !== product.id && (p.kind === 'course' || p.kind === 'download'));
          return candidates.length === 0 ? (
            <p className="muted">Create courses or downloads first.</p>
          ) : (
            <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
              <legend className="visually-hidden">Included products</legend>
              {candidates.map((p) => (
                <CheckboxField
                  key={p.id}
                  label={`${p.name} (${kindLabels[p.kind]})`}
                  checked={chosen.includes(p.id)}
                  onChange={(e) => setChosen((c) => (e.target.checked ? [...c, p.id] : c.filter((x) => x !== p.id)))}
                />
              ))}
              <FormError error={save.error} />
              {readOnly ? null : (
                <button type="button" className="button" style={{ marginTop: 12 }} disabled={save.pending} onClick={() => void save.run()}>
                  {save.pending ? 'Saving…' : 'Save what it includes'}
                </button>
              )}
            </fieldset>
          );
        }}
      </LoadState>
    </section>
  );
}

function SalesPagePanel({ product }: { product: ProductDetail }) {
  const pages = useLoad(() => siteApi.pages(), []);
  const navigate = useNavigate();
  const { can } = useSession();
  const create = useAction(async () => {
    const page = await siteApi.create({ slug: product.slug, kind: 'sales', productId: product.id });
    navigate(`/pages/${page.id}`);
  });
  return (
    <section className="card" aria-labelledby="sales-page">
      <h2 id="sales-page">Sales page</h2>
      <LoadState state={pages}>
        {({ pages: list }) => {
          const page = list.find((p) => p.productId === product.id);
          return page ? (
            <p>
              <Link to={`/pages/${page.id}`}>Edit “{page.draft.title}”</Link> · {page.status === 'published' ? <span className="badge good">Published</span> : <span className="badge warn">Draft</span>}
            </p>
          ) : (
            <>
              <p className="muted">Until you write one, the product has a simple page: its name, summary and prices.</p>
              <FormError error={create.error} />
              {can('pages.write') ? (
                <button type="button" className="button" disabled={create.pending} onClick={() => void create.run()}>
                  Write a sales page
                </button>
              ) : null}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}

function OffersPanel({ product, readOnly }: { product: ProductDetail; readOnly: boolean }) {
  const offers = useLoad(() => catalogApi.offers({ productId: product.id }), [product.id]);
  const others = useLoad(() => catalogApi.products({}), []);
  const confirm = useConfirm();
  const add = useFormAction(
    async (f) => {
      const priceId = f.text('offerPriceId');
      const price = others.data?.products.flatMap((p) => p.prices).find((p) => p.id === priceId);
      const special = f.text('amount').trim();
      await catalogApi.createOffer({
        kind: f.text('kind') as 'bump' | 'upsell',
        productId: product.id,
        offerPriceId: priceId,
        amount: special && price ? money(special, price.currency) : null,
        headline: f.text('headline'),
        body: f.text('body'),
      });
      offers.reload();
    },
    { reset: true },
  );
  const act = useAction(async (work: () => Promise<unknown>) => {
    await work();
    offers.reload();
  });
  return (
    <section className="card section" aria-labelledby="offers">
      <h2 id="offers">Order bumps and upsells</h2>
      <p className="muted small">
        A <strong>bump</strong> is a checkbox on this product’s checkout page. An <strong>upsell</strong> is offered right after paying, one click, charged to the card just used.
      </p>
      <LoadState state={offers}>
        {({ offers: list }) =>
          list.length === 0 ? (
            <EmptyState title="No offers yet" />
          ) : (
            <ul className="plain-list">
              {list.map((o) => (
                <li key={o.id} className="list-row">
                  <div>
                    <span className="badge">{o.kind === 'bump' ? 'Bump' : 'Upsell'}</span> <strong>{o.headline}</strong> {o.active ? null : <span className="badge">Off</span>}
                    <div className="muted small">
                      {o.offerProduct.name} for <span className="amount">{formatMoney(o.amount ?? o.price.amount, o.price.currency)}</span>
                      {o.amount !== null && o.amount !== o.price.amount ? <> (normally {formatMoney(o.price.amount, o.price.currency)})</> : null}
                    </div>
                  </div>
                  {readOnly ? null : (
                    <div className="button-row">
                      <button type="button" className="button small" disabled={act.pending} onClick={() => void act.run(() => catalogApi.updateOffer(o.id, { active: !o.active }))}>
                        {o.active ? 'Turn off' : 'Turn on'}
                        <span className="visually-hidden"> {o.headline}</span>
                      </button>
                      <button
                        type="button"
                        className="button small danger-text"
                        disabled={act.pending}
                        onClick={() =>
                          void act.run(async () => {
                            if (await confirm({ title: 'Remove this offer?', confirmLabel: 'Remove', danger: true })) await catalogApi.deleteOffer(o.id);
                          })
                        }
                      >
                        Remove<span className="visually-hidden"> {o.headline}</span>
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
      <FormError error={act.error} />
      {readOnly ? null : (
        <LoadState state={others}>
          {({ products }) => {
            const choices = products
              .filter((p) => p.id !== product.id)
              .flatMap((p) => p.prices.filter((x) => x.type === 'one_time' && x.active).map((x) => ({ value: x.id, label: `${p.name} — ${formatMoney(x.amount, x.currency)}` })));
            return choices.length === 0 ? (
              <p className="muted small" style={{ marginTop: 12 }}>
                To add an offer, give another product a one-time price first.
              </p>
            ) : (
              <form className="stack" onSubmit={add.onSubmit} aria-label="Add an offer" style={{ marginTop: 16 }}>
                <h3>Add an offer</h3>
                <div className="form-grid">
                  <SelectField label="Where" name="kind" options={[{ value: 'bump', label: 'Bump: on the checkout page' }, { value: 'upsell', label: 'Upsell: right after paying' }]} />
                  <SelectField label="What it sells" name="offerPriceId" options={choices} />
                  <TextField label="Special price (optional)" name="amount" inputMode="decimal" placeholder="9.00" hint="Blank: the normal price." />
                </div>
                <TextField label="Headline" name="headline" required maxLength={200} placeholder="Add the checklist" error={add.fieldErrors.headline} />
                <TextAreaField label="Text (optional)" name="body" maxLength={2000} />
                <FormError error={add.error} />
                <div>
                  <button type="submit" className="button" disabled={add.pending}>
                    {add.pending ? 'Adding…' : 'Add offer'}
                  </button>
                </div>
              </form>
            );
          }}
        </LoadState>
      )}
    </section>
  );
}
