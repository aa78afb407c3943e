import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function AutomationsPage() {
  return (
    <ModulePlaceholder
      title="Automations"
      permission="automation.read"
      arrives="Automations arrive with the automation module"
      intro="The parts of the business that run on their own."
      features={[
        'Build evergreen email sequences',
        'React to events: wait, send, tag, grant access, branch, call a webhook, create a task',
        'See which automations are healthy and which stopped',
      ]}
    />
  );
}
