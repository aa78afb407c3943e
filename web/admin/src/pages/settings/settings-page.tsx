// Settings: the business's identity (src/modules/brand). Name, logo, favicon, colours, font
// pairing and theme with a live preview of a page and an email header; sender, addresses, time
// zone, currency and the legal pages. Every save is an event with its actor (Activity).
import { useState, type CSSProperties } from 'react';
import { apiGet, apiSend, apiUpload } from '../../api.js';
import { SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { inkOn, readableOn, tint } from '../../../../../src/modules/brand/colour.js';

// The shapes are the brand routes' own schemas (src/modules/brand/contract.ts), as they arrive
// over JSON; types only.
import type { BrandChoices as Choices, BrandPage, BrandSettings } from '../../../../../src/modules/brand/contract.js';
export type { BrandSettings };

const brandApi = {
  get: () => apiGet<BrandPage>('/api/brand'),
  save: (patch: Partial<BrandSettings>) => apiSend<BrandSettings>('PATCH', '/api/brand', patch),
  /** multipart/form-data with the file in "file" (the server sniffs the type) */
  upload: async (kind: 'logo' | 'favicon', file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    const body = new Response(form);
    return apiUpload<BrandSettings>('PUT', `/api/brand/images/${kind}`, await body.blob(), body.headers.get('content-type') ?? 'multipart/form-data');
  },
  remove: (kind: 'logo' | 'favicon') => apiSend<BrandSettings>('DELETE', `/api/brand/images/${kind}`),
};

const EDITABLE = ['name', 'tagline', 'color', 'accent', 'font', 'theme', 'senderName', 'senderAddress', 'supportEmail', 'postalAddress', 'timeZone', 'currency', 'legal'] as const;

export default function SettingsPage() {
  const state = useLoad(() => brandApi.get(), []);
  return (
    <>
      <PageHeader title="Settings" intro="Your business as customers see it: on every page, in every email, on certificates." />
      <LoadState state={state}>{(data) => <BrandForm initial={data.settings} choices={data.choices} onSaved={(s) => state.setData((d) => ({ ...d, settings: s }))} />}</LoadState>
    </>
  );
}

function BrandForm({ initial, choices, onSaved }: { initial: BrandSettings; choices: Choices; onSaved: (s: BrandSettings) => void }) {
  const [draft, setDraft] = useState<BrandSettings>(initial);
  const [notice, setNotice] = useState<string | null>(null);
  const set = <K extends keyof BrandSettings>(key: K, value: BrandSettings[K]) => {
    setNotice(null);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const save = useAction(async () => {
    const patch = Object.fromEntries(EDITABLE.map((k) => [k, draft[k]]));
    const saved = await brandApi.save(patch);
    setDraft(saved);
    onSaved(saved);
    setNotice('Saved. Every page and email uses it now.');
  });
  const image = useAction(async (kind: 'logo' | 'favicon', file: File | null) => {
    const saved = file ? await brandApi.upload(kind, file) : await brandApi.remove(kind);
    setDraft((d) => ({ ...d, logoUrl: saved.logoUrl, faviconUrl: saved.faviconUrl, version: saved.version }));
    onSaved(saved);
    setNotice(file ? `The ${kind} is uploaded.` : `The ${kind} is removed.`);
  });
  const errors = { ...save.fieldErrors, ...image.fieldErrors };
  const font = choices.fonts.find((f) => f.id === draft.font) ?? choices.fonts[0]!;

  return (
    <form
      className="brand-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <div className="brand-layout">
        <div className="brand-fields">
          <fieldset className="card">
            <legend>Identity</legend>
            <TextField label="Business name" name="name" required maxLength={100} value={draft.name} onChange={(e) => set('name', e.target.value)} error={errors.name} />
            <TextField label="Tagline" name="tagline" maxLength={200} value={draft.tagline} onChange={(e) => set('tagline', e.target.value)} error={errors.tagline} hint="One line under your name on the store and in footers." />
            <ImageField kind="logo" label="Logo" url={draft.logoUrl} limit={choices.limits.logo} onChange={(f) => void image.run('logo', f)} pending={image.pending} />
            <ImageField kind="favicon" label="Favicon" url={draft.faviconUrl} limit={choices.limits.favicon} onChange={(f) => void image.run('favicon', f)} pending={image.pending} hint="Without one, visitors see your initial on your brand colour." />
            <FormError error={image.error} />
          </fieldset>
          <fieldset className="card">
            <legend>Look</legend>
            <div className="brand-colours">
              <ColourField label="Brand colour" value={draft.color} onChange={(v) => set('color', v)} error={errors.color} hint="Header, buttons and links." />
              <ColourField label="Accent colour" value={draft.accent} onChange={(v) => set('accent', v)} error={errors.accent} hint="Highlights and the bold theme's buttons." />
            </div>
            <SelectField label="Fonts" name="font" value={draft.font} onChange={(e) => set('font', e.target.value)} options={choices.fonts.map((f) => ({ value: f.id, label: f.label }))} hint="System fonts: nothing is loaded from another site." />
            <SelectField label="Page theme" name="theme" value={draft.theme} onChange={(e) => set('theme', e.target.value)} options={choices.themes.map((t) => ({ value: t.id, label: t.label }))} />
          </fieldset>
          <fieldset className="card">
            <legend>Email and contact</legend>
            <TextField label="Sender name" name="senderName" maxLength={100} value={draft.senderName} onChange={(e) => set('senderName', e.target.value)} error={errors.senderName} hint="Who your emails are from, e.g. “Maya at The Creator Lab”. Empty: the business name." />
            <TextField label="Sender address" name="senderAddress" type="email" maxLength={254} value={draft.senderAddress} onChange={(e) => set('senderAddress', e.target.value)} error={errors.senderAddress} hint="An address on a domain you send from (set up SPF and DKIM for it)." />
            <TextField label="Support email" name="supportEmail" type="email" maxLength={254} value={draft.supportEmail} onChange={(e) => set('supportEmail', e.target.value)} error={errors.supportEmail} hint="Shown in page and email footers." />
            <TextAreaField label="Postal address" name="postalAddress" rows={3} maxLength={500} value={draft.postalAddress} onChange={(e) => set('postalAddress', e.target.value)} error={errors.postalAddress} hint="Required in every broadcast footer (CAN-SPAM, GDPR)." />
            <div className="brand-colours">
              <TextField label="Time zone" name="timeZone" value={draft.timeZone} onChange={(e) => set('timeZone', e.target.value)} error={errors.timeZone} hint="e.g. Europe/Berlin" />
              <TextField label="Currency" name="currency" maxLength={3} value={draft.currency} onChange={(e) => set('currency', e.target.value.toUpperCase())} error={errors.currency} hint="e.g. USD, EUR" />
            </div>
          </fieldset>
          <fieldset className="card">
            <legend>Legal pages</legend>
            <p className="field-hint">Markdown. A page with text is public and linked from every footer.</p>
            <TextAreaField label="Terms of sale (/legal/terms)" name="terms" rows={5} value={draft.legal.terms} onChange={(e) => set('legal', { ...draft.legal, terms: e.target.value })} />
            <TextAreaField label="Privacy policy (/legal/privacy)" name="privacy" rows={5} value={draft.legal.privacy} onChange={(e) => set('legal', { ...draft.legal, privacy: e.target.value })} />
            <TextAreaField label="Refund policy (/legal/refunds)" name="refunds" rows={4} value={draft.legal.refunds} onChange={(e) => set('legal', { ...draft.legal, refunds: e.target.value })} />
          </fieldset>
          <FormError error={save.error} />
          <FormNotice>{notice}</FormNotice>
          <div className="button-row">
            <button type="submit" className="button primary" disabled={save.pending}>
              {save.pending ? 'Saving…' : 'Save settings'}
            </button>
            <a className="button subtle" href="/" target="_blank" rel="noreferrer">
              Open the store
            </a>
          </div>
        </div>
        <BrandPreview draft={draft} font={font} />
      </div>
    </form>
  );
}

function ColourField({ label, value, onChange, error, hint }: { label: string; value: string; onChange: (v: string) => void; error?: string; hint?: string }) {
  const valid = /^#[0-9a-fA-F]{6}$/.test(value);
  return (
    <div className="brand-colour">
      <TextField label={label} value={value} maxLength={7} onChange={(e) => onChange(e.target.value)} error={error ?? (valid ? undefined : 'A colour like #1f6feb')} hint={hint} />
      <input type="color" aria-label={`${label}: pick`} value={valid ? value.toLowerCase() : '#000000'} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function ImageField({ kind, label, url, limit, onChange, pending, hint }: { kind: string; label: string; url: string | null; limit: number; onChange: (f: File | null) => void; pending: boolean; hint?: string }) {
  return (
    <div className="field brand-image">
      <label htmlFor={`brand-${kind}`}>{label}</label>
      <div className="brand-image-row">
        {url ? <img src={url} alt={`Current ${kind}`} height={40} /> : <span className="field-hint">None yet</span>}
        <input id={`brand-${kind}`} type="file" accept="image/png,image/jpeg,image/gif,image/webp,image/x-icon" disabled={pending} onChange={(e) => e.target.files?.[0] && onChange(e.target.files[0])} />
        {url ? (
          <button type="button" className="button small subtle" onClick={() => onChange(null)} disabled={pending}>
            Remove
          </button>
        ) : null}
      </div>
      <p className="field-hint">
        PNG, JPEG, GIF, WebP or ICO, at most {Math.round(limit / 1024)} KB. {hint}
      </p>
    </div>
  );
}

/** What a sales page and an email header look like with the unsaved values. */
function BrandPreview({ draft, font }: { draft: BrandSettings; font: { heading: string; body: string } }) {
  const ok = (c: string) => /^#[0-9a-fA-F]{6}$/.test(c);
  const color = ok(draft.color) ? draft.color.toLowerCase() : '#1f6feb';
  const accent = ok(draft.accent) ? draft.accent.toLowerCase() : '#f59e0b';
  const bold = draft.theme === 'bold';
  const elegant = draft.theme === 'elegant';
  const button: CSSProperties = bold ? { background: accent, color: inkOn(accent) } : { background: color, color: inkOn(color) };
  const name = draft.name || 'Your business';
  return (
    <aside className="brand-preview" aria-label="Live preview">
      <p className="field-hint">Live preview — {draft.theme} theme</p>
      <div className="brand-preview-page" style={{ fontFamily: font.body, borderTop: `4px solid ${color}` }} data-testid="brand-preview">
        <div className="brand-preview-header" style={bold ? { background: '#0f172a', color: '#fff' } : undefined}>
          {draft.logoUrl ? <img src={draft.logoUrl} alt="" height={28} /> : null}
          <strong style={{ fontFamily: font.heading }}>{name}</strong>
        </div>
        <div className="brand-preview-hero" style={bold ? { background: `linear-gradient(135deg,#0f172a 55%,${color} 160%)`, color: '#fff' } : elegant ? { textAlign: 'center' } : { background: tint(color) }}>
          <p style={{ fontFamily: font.heading, fontSize: bold ? '1.5rem' : '1.3rem', fontWeight: elegant ? 500 : 700, margin: 0 }}>Launch your first course</p>
          <p style={{ margin: '.4rem 0 .8rem', opacity: 0.85 }}>{draft.tagline || 'A step-by-step plan that sells while you sleep.'}</p>
          <span className="brand-preview-button" style={button}>
            Enroll now
          </span>
        </div>
        <p style={{ padding: '0 1rem' }}>
          Read our <span style={{ color: readableOn(color), textDecoration: 'underline' }}>refund policy</span>.
        </p>
      </div>
      <p className="field-hint">Email header</p>
      <div className="brand-preview-mail" style={{ background: color, color: inkOn(color), fontFamily: font.body }}>
        {draft.logoUrl ? <img src={draft.logoUrl} alt="" height={28} /> : null}
        <strong>{name}</strong>
      </div>
      <p className="field-hint">
        From: {draft.senderName || name} &lt;{draft.senderAddress || 'the configured sender'}&gt;
      </p>
    </aside>
  );
}
