// Products: the list and a new-product form; a product's page (details, prices, files, what
// it includes, bumps and upsells, its sales page); coupons.
import { useState } from 'react';
import { Link, NavLink, Route, Routes, useNavigate } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { describePrice } from '../../lib/money.js';
import { useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { oneOf } from '../../lib/one-of.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { useSession } from '../../session.js';
import { catalogApi, kindLabels, statusTone, type ProductKind, type ProductStatus } from './catalog-api.js';
import CouponsPage from './coupons-page.js';
import ProductDetailPage from './product-detail.js';
import { CoursePicker } from '../courses/course-picker.js';

export default function ProductsArea() {
  return (
    <Routes>
      <Route index element={<ProductsPage />} />
      <Route path="coupons" element={<CouponsPage />} />
      <Route path=":id" element={<ProductDetailPage />} />
    </Routes>
  );
}

export function ProductsNav() {
  return (
    <nav className="sub-nav" aria-label="Products">
      <NavLink to="/products" end>
        Products
      </NavLink>
      <NavLink to="/products/coupons">Coupons</NavLink>
    </nav>
  );
}

const statuses: (ProductStatus | '')[] = ['', 'published', 'draft', 'archived'];
const statusLabel: Record<string, string> = { '': 'All', published: 'On sale', draft: 'Drafts', archived: 'Archived' };

/** "my-course" from "My Course!" */
export function slugify(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

function ProductsPage() {
  const [status, setStatus] = useQueryParam('status');
  const state = useLoad(() => catalogApi.products({ status: oneOf(statuses, status) || undefined, archived: status === 'archived' }), [status]);
  const { can } = useSession();
  return (
    <>
      <PageHeader title="Products" intro="What you sell: courses, downloads, memberships and bundles, each with its prices. Published products are in the store and have a sales page." />
      <ProductsNav />
      <div className="segmented" role="group" aria-label="Show">
        {statuses.map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {statusLabel[s]}
          </button>
        ))}
      </div>
      <LoadState state={state} label="Loading products…">
        {({ products }) => (
          <section className="card section" aria-label="Products">
            {products.length === 0 ? (
              <EmptyState title={status ? 'No products here' : 'No products yet'}>
                <p>Create your first product below, give it a price, and publish it.</p>
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Product</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Status</th>
                      <th scope="col">Prices</th>
                      <th scope="col">Page</th>
                    </tr>
                  </thead>
                  <tbody>
                    {products.map((p) => (
                      <tr key={p.id}>
                        <td data-label="Product">
                          <Link to={`/products/${p.id}`}>
                            <strong>{p.name}</strong>
                          </Link>
                          {p.summary ? <div className="muted small">{p.summary}</div> : null}
                        </td>
                        <td data-label="Kind">{kindLabels[p.kind]}</td>
                        <td data-label="Status">
                          <span className={`badge ${statusTone[p.status]}`}>{p.status === 'published' ? 'On sale' : p.status === 'draft' ? 'Draft' : 'Archived'}</span>
                        </td>
                        <td data-label="Prices">
                          {p.prices.filter((x) => x.active).length === 0 ? (
                            <span className="muted">No active price</span>
                          ) : (
                            p.prices
                              .filter((x) => x.active)
                              .map((x) => (
                                <div key={x.id} className="amount">
                                  {describePrice(x)}
                                </div>
                              ))
                          )}
                        </td>
                        <td data-label="Page">
                          {p.status === 'published' ? (
                            <a href={`/p/${p.slug}`} target="_blank" rel="noreferrer">
                              /p/{p.slug}
                            </a>
                          ) : (
                            <span className="muted">/p/{p.slug}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        )}
      </LoadState>
      {can('catalog.write') ? <NewProductForm /> : null}
    </>
  );
}

function NewProductForm() {
  const navigate = useNavigate();
  const [kind, setKind] = useState<ProductKind>('course');
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const create = useFormAction(async (f) => {
    const p = await catalogApi.createProduct({
      kind,
      name: f.text('name'),
      slug: f.text('slug'),
      summary: f.text('summary'),
      courseId: kind === 'course' && f.text('courseId').trim() ? f.text('courseId').trim() : null,
    });
    navigate(`/products/${p.id}`);
  });
  return (
    <section className="card section" aria-labelledby="new-product">
      <h2 id="new-product">New product</h2>
      <form className="stack" onSubmit={create.onSubmit}>
        <div className="form-grid">
          <TextField
            label="Name"
            name="name"
            required
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              if (!slugTouched) setSlug(slugify(e.target.value));
            }}
            error={create.fieldErrors.name}
          />
          <SelectField
            label="Kind"
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as ProductKind)}
            options={(Object.keys(kindLabels) as ProductKind[]).map((k) => ({ value: k, label: kindLabels[k] }))}
            hint={
              kind === 'course'
                ? 'Opens one course.'
                : kind === 'download'
                  ? 'Delivers files through expiring links.'
                  : kind === 'membership'
                    ? 'Opens the products it includes while the subscription is paid.'
                    : 'Several products for one price, for good.'
            }
          />
          <TextField
            label="Address"
            name="slug"
            required
            value={slug}
            onChange={(e) => {
              setSlugTouched(true);
              setSlug(e.target.value);
            }}
            hint={`The sales page will be at /p/${slug || '…'}`}
            error={create.fieldErrors.slug}
          />
          {kind === 'course' ? <CoursePicker label="Course (optional for now)" hint="The course this product opens. Needed before publishing." error={create.fieldErrors.courseId} /> : null}
        </div>
        <TextAreaField label="Summary" name="summary" hint="One or two sentences for the store and search engines." maxLength={600} />
        <FormError error={create.error} />
        <div>
          <button type="submit" className="button primary" disabled={create.pending}>
            {create.pending ? 'Creating…' : 'Create product'}
          </button>
        </div>
      </form>
    </section>
  );
}
