import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function ContactsPage() {
  return (
    <ModulePlaceholder
      title="Contacts"
      permission="contacts.read"
      arrives="Contacts arrive with the audience module"
      intro="Your list, with the consent behind every address."
      features={[
        'Collect subscribers with forms and double opt-in',
        'Tag and segment contacts',
        'Import and export CSV files',
      ]}
    />
  );
}
