// The page blocks, rendered on the server for visitors and for the editor's live preview
// alike. Rich text arrives sanitised; everything else is plain text that React escapes.
import type { Block } from '../../../src/modules/site/blocks.js';
import { videoEmbedUrl } from '../../../src/modules/site/blocks.js';
import { OptInForm, type PublicForm } from '../audience/pages.js';
import { ContactForm } from '../support/pages.js';

/** A price as the page shows it: already formatted, with where "Buy" goes. */
export interface PriceView {
  id: string;
  label: string;
  /** "$49", "$19 / month", "3 payments of $99 / month" */
  description: string;
  checkoutUrl: string;
}

export interface BlockContext {
  productName?: string;
  prices: PriceView[];
  /** the forms blocks may embed, by id: live ones only (archived and deleted forms are absent) */
  forms?: Record<string, PublicForm>;
  /** the visitor's form token (the cached page carries a slot the server fills per visitor) */
  formToken?: string;
}

export function Blocks({ blocks, ctx }: { blocks: Block[]; ctx: BlockContext }) {
  return (
    <>
      {blocks.map((b) => (
        <BlockView key={b.id} block={b} ctx={ctx} />
      ))}
    </>
  );
}

export function BlockView({ block, ctx }: { block: Block; ctx: BlockContext }) {
  switch (block.type) {
    case 'hero':
      return (
        <section className={`block hero${block.imageUrl ? ' hero-split' : ''}`}>
          <div className="hero-text">
            <h1>{block.heading}</h1>
            {block.subheading ? <p className="lead">{block.subheading}</p> : null}
            {block.ctaLabel && ctx.prices.length ? (
              <a className="button" href="#pricing">
                {block.ctaLabel}
              </a>
            ) : null}
          </div>
          {block.imageUrl ? <img className="hero-image" src={block.imageUrl} alt="" width={640} height={360} /> : null}
        </section>
      );
    case 'richText':
      return <section className="block rich" dangerouslySetInnerHTML={{ __html: block.html }} />;
    case 'media': {
      if (block.kind === 'image') {
        return (
          <figure className="block media">
            <img src={block.url} alt={block.alt} loading="lazy" decoding="async" />
            {block.caption ? <figcaption>{block.caption}</figcaption> : null}
          </figure>
        );
      }
      const embed = videoEmbedUrl(block.url);
      return (
        <figure className="block media">
          {embed ? (
            <div className="video">
              <iframe src={embed} title={block.alt || block.caption || 'Video'} loading="lazy" allow="encrypted-media; picture-in-picture; fullscreen" allowFullScreen />
            </div>
          ) : (
            <video src={block.url} controls preload="metadata" aria-label={block.alt || block.caption || 'Video'} />
          )}
          {block.caption ? <figcaption>{block.caption}</figcaption> : null}
        </figure>
      );
    }
    case 'bullets':
      return (
        <section className="block bullets">
          {block.heading ? <h2>{block.heading}</h2> : null}
          <ul>
            {block.items.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        </section>
      );
    case 'testimonial':
      return (
        <figure className="block testimonial">
          <blockquote>
            <p>{block.quote}</p>
          </blockquote>
          <figcaption>
            {block.imageUrl ? <img src={block.imageUrl} alt="" width={48} height={48} loading="lazy" /> : null}
            <span>
              <strong>{block.author}</strong>
              {block.role ? <span className="muted">, {block.role}</span> : null}
            </span>
          </figcaption>
        </figure>
      );
    case 'pricing': {
      const shown = block.priceIds.length ? ctx.prices.filter((p) => block.priceIds.includes(p.id)) : ctx.prices;
      return (
        <section className="block pricing" id="pricing" aria-labelledby={`h-${block.id}`}>
          <h2 id={`h-${block.id}`}>{block.heading || 'Get it now'}</h2>
          {shown.length === 0 ? (
            <p className="muted">Not on sale right now.</p>
          ) : (
            <div className="grid">
              {shown.map((p) => (
                <div className="card price" key={p.id}>
                  {p.label ? <p className="badge">{p.label}</p> : null}
                  <p className="amount">{p.description}</p>
                  <a className="button" href={p.checkoutUrl}>
                    {block.ctaLabel || 'Buy now'}
                    <span className="visually-hidden">
                      {' '}
                      {ctx.productName} — {p.description}
                    </span>
                  </a>
                </div>
              ))}
            </div>
          )}
        </section>
      );
    }
    case 'faq':
      return (
        <section className="block faq" aria-labelledby={`h-${block.id}`}>
          <h2 id={`h-${block.id}`}>{block.heading || 'Questions'}</h2>
          {block.items.map((item, i) => (
            <details key={i}>
              <summary>{item.question}</summary>
              <p>{item.answer}</p>
            </details>
          ))}
        </section>
      );
    case 'optin': {
      const form = block.formId ? ctx.forms?.[block.formId] : undefined;
      return (
        <section className="block optin card" aria-labelledby={`h-${block.id}`}>
          <h2 id={`h-${block.id}`}>{block.heading}</h2>
          {block.text ? <p>{block.text}</p> : null}
          {form ? (
            <OptInForm form={form} csrf={ctx.formToken ?? ''} idPrefix={`${block.id}-`} buttonLabel={block.buttonLabel || undefined} />
          ) : (
            <p className="notice notice-info" role="status" data-form-unavailable="true">
              This sign-up form is no longer available.
            </p>
          )}
        </section>
      );
    }
    case 'contact':
      return (
        <section className="block contact card" aria-labelledby={`h-${block.id}`}>
          <h2 id={`h-${block.id}`}>{block.heading}</h2>
          {block.text ? <p>{block.text}</p> : null}
          <ContactForm id={block.id} csrf={ctx.formToken ?? ''} buttonLabel={block.buttonLabel || undefined} askSubject={block.askSubject} />
        </section>
      );
    case 'logos':
      return (
        <section className="block logos" aria-label={block.heading || 'As featured in'}>
          {block.heading ? <p className="logos-heading">{block.heading}</p> : null}
          <ul role="list">
            {block.items.map((item, i) => (
              <li key={i}>{item.imageUrl ? <img src={item.imageUrl} alt={item.name} height={32} loading="lazy" decoding="async" /> : <span>{item.name}</span>}</li>
            ))}
          </ul>
        </section>
      );
    case 'stats':
      return (
        <section className="block stats" aria-labelledby={block.heading ? `h-${block.id}` : undefined} aria-label={block.heading ? undefined : 'In numbers'}>
          {block.heading ? <h2 id={`h-${block.id}`}>{block.heading}</h2> : null}
          <dl>
            {block.items.map((item, i) => (
              <div key={i}>
                <dt>{item.label}</dt>
                <dd>{item.value}</dd>
              </div>
            ))}
          </dl>
        </section>
      );
    case 'guarantee':
      return (
        <section className="block guarantee card" aria-labelledby={`h-${block.id}`}>
          <h2 id={`h-${block.id}`}>{block.heading || (block.days ? `${block.days}-day money-back guarantee` : 'Our guarantee')}</h2>
          <p>{block.text}</p>
        </section>
      );
  }
}
