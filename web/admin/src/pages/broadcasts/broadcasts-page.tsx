import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function BroadcastsPage() {
  return (
    <ModulePlaceholder
      title="Broadcasts"
      permission="mail.send"
      arrives="Broadcasts arrive with the mail module"
      intro="Emails to your list or a segment of it."
      features={[
        'Write and schedule an email to a segment',
        'Follow opens, clicks, unsubscribes, bounces and complaints',
        'Reuse templates',
      ]}
    />
  );
}
