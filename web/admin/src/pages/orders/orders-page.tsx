import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function OrdersPage() {
  return (
    <ModulePlaceholder
      title="Orders"
      permission="orders.read"
      arrives="Orders arrive with the checkout module"
      intro="Every purchase and payment, from Stripe or the built-in test provider of the demo."
      features={[
        'Find any order and its payments',
        'Refund within the policy limit of your role',
        'Follow failed-payment recovery (dunning) and resend receipts',
      ]}
    />
  );
}
