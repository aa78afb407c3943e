import { ModulePlaceholder } from '../../components/module-placeholder.js';

// Placeholder until the module's admin page lands: replace this component.
export default function CoursesPage() {
  return (
    <ModulePlaceholder
      title="Courses"
      permission="learning.read"
      arrives="Courses arrive with the learning module"
      intro="What your students learn: modules, lessons and their schedule."
      features={[
        'Write modules and lessons with video, text and downloads',
        'Drip lessons on a schedule, add quizzes and certificates',
        'See student progress and which lessons need an update',
      ]}
    />
  );
}
