import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function SitePage() {
  return (
    <ModulePlaceholder
      title="Pages"
      permission="pages.write"
      arrives="Pages arrive with the site module"
      intro="Landing, sales and opt-in pages, built from blocks and served fast without JavaScript."
      features={[
        'Build pages from ready blocks: headline, video, testimonials, pricing, opt-in form',
        'Publish them at your own address',
        'See each page’s visits and conversions',
      ]}
    />
  );
}
