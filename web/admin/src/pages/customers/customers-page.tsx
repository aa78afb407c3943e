import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function CustomersPage() {
  return (
    <ModulePlaceholder
      title="Customers"
      permission="customers.read"
      arrives="Customers arrive with the checkout module"
      intro="The people who bought from you, each with their whole history."
      features={[
        'Look up a buyer by name or email',
        'See their orders, courses, emails and support threads in one place',
        'Grant or remove access to a course',
      ]}
    />
  );
}
