// Coupons: percent or fixed amount off, with expiry, a redemption limit and products.
import { useState } from 'react';
import { EmptyState } from '../../components/empty-state.js';
import { CheckboxField, SelectField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { formatMoney, parseMoney } from '../../lib/money.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { catalogApi, useDefaultCurrency, type Coupon } from './catalog-api.js';
import { ProductsNav } from './products-page.js';

function discountText(c: Coupon): string {
  return c.kind === 'percent' ? `${c.percentOff} % off` : `${formatMoney(c.amountOff ?? 0, c.currency ?? 'usd')} off`;
}

export default function CouponsPage() {
  const state = useLoad(() => Promise.all([catalogApi.coupons(), catalogApi.products({})]).then(([c, p]) => ({ coupons: c.coupons, products: p.products })), []);
  const { can } = useSession();
  const mayWrite = can('catalog.write');
  const toggle = useAction(async (c: Coupon) => {
    const next = await catalogApi.updateCoupon(c.id, { active: !c.active });
    state.setData((d) => ({ ...d, coupons: d.coupons.map((x) => (x.id === c.id ? next : x)) }));
  });
  return (
    <>
      <PageHeader title="Coupons" intro="Codes buyers type at checkout. An open checkout holds one use; a checkout that lapses unpaid gives it back." />
      <ProductsNav />
      <LoadState state={state} label="Loading coupons…">
        {({ coupons, products }) => (
          <>
            <section className="card section" aria-label="Coupons">
              {coupons.length === 0 ? (
                <EmptyState title="No coupons yet" />
              ) : (
                <div className="table-wrap">
                  <table className="stack-on-phone">
                    <thead>
                      <tr>
                        <th scope="col">Code</th>
                        <th scope="col">Discount</th>
                        <th scope="col">Used</th>
                        <th scope="col">Expires</th>
                        <th scope="col">Applies to</th>
                        {mayWrite ? (
                          <th scope="col">
                            <span className="visually-hidden">Actions</span>
                          </th>
                        ) : null}
                      </tr>
                    </thead>
                    <tbody>
                      {coupons.map((c) => (
                        <tr key={c.id}>
                          <td data-label="Code">
                            <strong className="mono">{c.code}</strong> {c.active ? null : <span className="badge">Off</span>}
                          </td>
                          <td data-label="Discount">{discountText(c)}</td>
                          <td data-label="Used">
                            {c.redemptions}
                            {c.maxRedemptions ? ` of ${c.maxRedemptions}` : ''}
                          </td>
                          <td data-label="Expires">{c.expiresAt ? <Time iso={c.expiresAt} style="date" /> : <span className="muted">Never</span>}</td>
                          <td data-label="Applies to">{c.productIds.length ? products.filter((p) => c.productIds.includes(p.id)).map((p) => p.name).join(', ') : 'Everything'}</td>
                          {mayWrite ? (
                            <td className="actions">
                              <button type="button" className="button small" disabled={toggle.pending} onClick={() => void toggle.run(c)}>
                                {c.active ? 'Turn off' : 'Turn on'}
                                <span className="visually-hidden"> {c.code}</span>
                              </button>
                            </td>
                          ) : null}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <FormError error={toggle.error} />
            </section>
            {mayWrite ? <NewCouponForm products={products} onCreated={(c) => state.setData((d) => ({ ...d, coupons: [c, ...d.coupons] }))} /> : null}
          </>
        )}
      </LoadState>
    </>
  );
}

function NewCouponForm({ products, onCreated }: { products: { id: string; name: string }[]; onCreated(c: Coupon): void }) {
  const [kind, setKind] = useState<'percent' | 'fixed'>('percent');
  const [chosen, setChosen] = useState<string[]>([]);
  const defaultCurrency = useDefaultCurrency();
  const create = useFormAction(
    async (f) => {
      const currency = f.text('currency').trim().toLowerCase() || defaultCurrency;
      const expires = f.text('expiresAt');
      const max = f.text('maxRedemptions').trim();
      let amountOff: number | null = null;
      if (kind === 'fixed') {
        try {
          amountOff = parseMoney(f.text('amountOff'), currency);
        } catch {
          throw new Error('Write the amount off like 10 or 9.50');
        }
      }
      const c = await catalogApi.createCoupon({
        code: f.text('code').trim(),
        kind,
        percentOff: kind === 'percent' ? Number(f.text('percentOff')) : null,
        amountOff,
        currency: kind === 'fixed' ? currency : null,
        expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
        maxRedemptions: max ? Number(max) : null,
        productIds: chosen,
      });
      setChosen([]);
      onCreated(c);
    },
    { reset: true },
  );
  return (
    <section className="card section" aria-labelledby="new-coupon">
      <h2 id="new-coupon">New coupon</h2>
      <form className="stack" onSubmit={create.onSubmit}>
        <div className="form-grid">
          <TextField label="Code" name="code" required maxLength={40} placeholder="LAUNCH20" hint="Letters, digits, - and _. Buyers may type it in any case." error={create.fieldErrors.code} />
          <SelectField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'percent' | 'fixed')} options={[{ value: 'percent', label: 'Percent off' }, { value: 'fixed', label: 'Amount off' }]} />
          {kind === 'percent' ? (
            <TextField label="Percent off" name="percentOff" type="number" min={1} max={100} required error={create.fieldErrors.percentOff} />
          ) : (
            <>
              <TextField label="Amount off" name="amountOff" inputMode="decimal" required error={create.fieldErrors.amountOff} />
              <TextField key={defaultCurrency} label="Currency" name="currency" defaultValue={defaultCurrency} maxLength={3} error={create.fieldErrors.currency} />
            </>
          )}
          <TextField label="Expires after (optional)" name="expiresAt" type="date" />
          <TextField label="Maximum uses (optional)" name="maxRedemptions" type="number" min={1} />
        </div>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="small" style={{ fontWeight: 600, marginBottom: 6 }}>
            Only for these products (none ticked: every product)
          </legend>
          {products.map((p) => (
            <CheckboxField key={p.id} label={p.name} checked={chosen.includes(p.id)} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, p.id] : c.filter((x) => x !== p.id)))} />
          ))}
        </fieldset>
        <FormError error={create.error} />
        <div>
          <button type="submit" className="button primary" disabled={create.pending}>
            {create.pending ? 'Creating…' : 'Create coupon'}
          </button>
        </div>
      </form>
    </section>
  );
}
