import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function ProductsPage() {
  return (
    <ModulePlaceholder
      title="Products"
      permission="catalog.read"
      arrives="Products arrive with the catalog module"
      intro="What you sell: courses, downloads, memberships and bundles."
      features={[
        'Create courses, downloads, memberships and bundles',
        'Set one-time, subscription and payment-plan prices',
        'Make coupons, order bumps and one-click upsells',
      ]}
    />
  );
}
