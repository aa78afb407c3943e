// The business's legal pages (terms of sale, privacy policy, refund policy), written in Settings.
import { PublicLayout } from '../layout.js';

export function LegalPageView({ title, html }: { title: string; html: string }) {
  return (
    <PublicLayout meta={{ title }}>
      <article className="legal">
        <h1>{title}</h1>
        {/* sanitised by renderLegalText */}
        <div className="rich" dangerouslySetInnerHTML={{ __html: html }} />
      </article>
    </PublicLayout>
  );
}
