import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function InboxPage() {
  return (
    <ModulePlaceholder
      title="Inbox"
      permission="support.read"
      arrives="The inbox arrives with the support module"
      intro="Customer email in one shared inbox."
      features={[
        'Answer threads from inbound email, with the customer’s context beside them',
        'Assign threads and use canned replies',
        'Keep to response-time targets',
      ]}
    />
  );
}
