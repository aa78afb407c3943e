import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function AnalyticsPage() {
  return (
    <ModulePlaceholder
      title="Analytics"
      permission="analytics.read"
      arrives="Analytics arrive with the analytics module"
      intro="How visitors find you and what they buy, without cookies."
      features={[
        'Follow traffic and its sources, with cookieless tracking',
        'See funnels, revenue, MRR and churn',
        'Compare cohorts and lifetime value',
      ]}
    />
  );
}
