// The page behind the one-click opt-out of overdue task reminders: a confirm button for people
// who open the link (link scanners must not change anything), and the answer after the POST.
import { Notice, PublicLayout } from '../layout.js';

export function RemindersOffConfirmPage(props: { action: string; name: string; siteName: string }) {
  return (
    <PublicLayout meta={{ title: 'Turn off task reminders', noindex: true, siteName: props.siteName }} header={<span />}>
      <h1>Turn off overdue task reminders</h1>
      <div className="card" style={{ maxWidth: '32rem' }}>
        <p>
          Stop emailing <strong>{props.name}</strong> when a task is overdue? Tasks still show in My day.
        </p>
        <form method="post" action={props.action}>
          <button type="submit">Turn reminders off</button>
        </form>
      </div>
    </PublicLayout>
  );
}

export function RemindersOffPage(props: { siteName: string }) {
  return (
    <PublicLayout meta={{ title: 'Task reminders are off', noindex: true, siteName: props.siteName }} header={<span />}>
      <h1>Task reminders are off</h1>
      <Notice kind="success">You will get no more emails about overdue tasks. Turn them on again in My day ("Email me when a task is overdue").</Notice>
    </PublicLayout>
  );
}
