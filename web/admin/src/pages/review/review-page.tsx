import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function ReviewPage() {
  return (
    <ModulePlaceholder
      title="Weekly review"
      permission="owner.review"
      arrives="The weekly review arrives with the owner module"
      intro="Your one hour a week: what the business did without you, and the few things that need you."
      features={[
        'See how much of the week ran on automation and assistants, and how much still needed you',
        'Spot a traffic source that slowly declines or suddenly drops',
        'Know which course needs an update and which assistant needs a decision',
        'Read an absence forecast: how long the business keeps earning if you step away',
      ]}
    />
  );
}
