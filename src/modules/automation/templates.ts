// Ready-made workflows. They reference no ids of this business (tags, products, forms), so
// they work anywhere: the owner narrows the trigger or adds tag steps in the builder.
import type { Definition } from './definition.js';

export interface Template {
  id: string;
  name: string;
  description: string;
  definition: Definition;
}

const H = 60;
const D = 24 * 60;
const base = { goals: [] as Definition['goals'], reentry: 'once' as Definition['reentry'], onUnsubscribe: 'skip_email' as const, attributionDays: 7 };
const paidExit = [{ id: 'bought', label: 'Bought something', event: 'order.paid' as const, then: null }];

export const templates: Template[] = [
  {
    id: 'welcome',
    name: 'Welcome + lead magnet',
    description: 'Delivers what they signed up for at once, then two emails over a week that lead to your first course. Anyone who buys leaves.',
    definition: {
      ...base,
      triggers: [{ type: 'contact.subscribed' }],
      start: 'deliver',
      steps: [
        { id: 'deliver', kind: 'email', subject: 'Here is your free guide, {{ contact.first_name }}', body: 'Hi {{ contact.first_name }},\n\nThank you for signing up. Your guide is waiting for you in your account.\n\nOver the next days I will send you the three ideas that helped my students most.', marketing: false, next: 'wait-2d' },
        { id: 'wait-2d', kind: 'wait', minutes: 2 * D, next: 'story' },
        { id: 'story', kind: 'email', subject: 'The mistake almost everyone makes', body: 'Hi {{ contact.first_name }},\n\nHere is the story of how I learned it the hard way…', marketing: true, next: 'wait-3d' },
        { id: 'wait-3d', kind: 'wait', minutes: 3 * D, next: 'offer' },
        { id: 'offer', kind: 'email', subject: 'Ready for the next step?', body: 'Hi {{ contact.first_name }},\n\nThe full course takes you from here to results in six weeks.', marketing: true, next: null },
      ],
      goals: paidExit,
    },
  },
  {
    id: 'abandoned-checkout',
    name: 'Abandoned checkout (1 h and 24 h)',
    description: 'Someone started a checkout and did not pay: a reminder after an hour and another a day later. Paying ends it.',
    definition: {
      ...base,
      reentry: 'days',
      reentryDays: 7,
      triggers: [{ type: 'checkout.abandoned', minutes: 60 }],
      start: 'reminder-1h',
      steps: [
        { id: 'reminder-1h', kind: 'email', subject: 'You left something behind', body: 'Hi {{ contact.first_name }},\n\nYour order is still waiting. Anything I can help with?', marketing: false, next: 'wait-23h' },
        { id: 'wait-23h', kind: 'wait', minutes: 23 * H, next: 'reminder-24h' },
        { id: 'reminder-24h', kind: 'email', subject: 'Still thinking it over?', body: 'Hi {{ contact.first_name }},\n\nHere is what students say after the first week…', marketing: true, next: null },
      ],
      goals: paidExit,
    },
  },
  {
    id: 'course-onboarding',
    name: 'Course onboarding with a stalled-student nudge',
    description: 'After a purchase: a welcome, then waits for the first finished lesson; if none comes in 3 days, a nudge (and a task for support).',
    definition: {
      ...base,
      reentry: 'always',
      triggers: [{ type: 'order.paid' }],
      start: 'welcome',
      steps: [
        { id: 'welcome', kind: 'email', subject: 'Welcome to the course, {{ contact.first_name }}', body: 'Hi {{ contact.first_name }},\n\nStart with lesson one: it takes ten minutes.', marketing: false, next: 'first-lesson' },
        { id: 'first-lesson', kind: 'wait_event', event: 'lesson.completed', timeoutMinutes: 3 * D, next: 'cheer', timeoutNext: 'nudge' },
        { id: 'cheer', kind: 'email', subject: 'Great start!', body: 'You finished your first lesson. Keep the momentum: lesson two is short.', marketing: false, next: null },
        { id: 'nudge', kind: 'email', subject: 'Ten minutes today?', body: 'Hi {{ contact.first_name }},\n\nLesson one is waiting. Most students who start in the first week finish the course.', marketing: false, next: 'support-task' },
        { id: 'support-task', kind: 'task', role: 'support', title: 'Check in with {{ contact.email }}: no lesson done 3 days after buying', dueInDays: 0, subject: 'contact', next: null },
      ],
    },
  },
  {
    id: 'upsell-after-completion',
    name: 'Upsell after course completion',
    description: 'A day after someone finishes a course: congratulations and the next offer; three days later a last reminder. Buying ends it.',
    definition: {
      ...base,
      reentry: 'always',
      triggers: [{ type: 'course.completed' }],
      start: 'wait-1d',
      steps: [
        { id: 'wait-1d', kind: 'wait', minutes: D, next: 'congrats' },
        { id: 'congrats', kind: 'email', subject: 'You did it — what comes next', body: 'Congratulations on finishing the course, {{ contact.first_name }}! The advanced program builds on exactly what you learned.', marketing: true, next: 'wait-3d' },
        { id: 'wait-3d', kind: 'wait', minutes: 3 * D, next: 'last-call' },
        { id: 'last-call', kind: 'email', subject: 'Last call: the advanced program', body: 'The alumni price ends tomorrow.', marketing: true, next: null },
      ],
      goals: paidExit,
    },
  },
  {
    id: 'win-back',
    name: 'Win-back after 90 days inactive',
    description: 'Enrol a segment of contacts with no opens or clicks for 90 days: a check-in, and a week later a last chance before they are tagged inactive.',
    definition: {
      ...base,
      reentry: 'days',
      reentryDays: 180,
      triggers: [{ type: 'manual' }],
      start: 'check-in',
      steps: [
        { id: 'check-in', kind: 'email', subject: 'Still interested, {{ contact.first_name }}?', body: 'It has been a while. Here is the best of what you missed.', marketing: true, next: 'wait-7d' },
        { id: 'wait-7d', kind: 'wait', minutes: 7 * D, next: 'last-chance' },
        { id: 'last-chance', kind: 'email', subject: 'Should I stop writing?', body: 'If these emails are not useful any more, you can unsubscribe below. No hard feelings.', marketing: true, next: null },
      ],
    },
  },
  {
    id: 'review-request',
    name: 'Review request after purchase',
    description: 'Seven days after a purchase, ask for a review.',
    definition: {
      ...base,
      reentry: 'days',
      reentryDays: 30,
      triggers: [{ type: 'order.paid' }],
      start: 'wait-7d',
      steps: [
        { id: 'wait-7d', kind: 'wait', minutes: 7 * D, next: 'ask' },
        { id: 'ask', kind: 'email', subject: 'How is it going?', body: 'Hi {{ contact.first_name }},\n\nWould you tell me in two sentences what you think so far? Just reply to this email.', marketing: false, next: null },
      ],
    },
  },
  {
    id: 'failed-payment',
    name: 'Failed-payment recovery',
    description: 'A payment failed: ask to update the card now, again after a day and after three; a task for support if nothing happens. Paying ends it.',
    definition: {
      ...base,
      reentry: 'always',
      triggers: [{ type: 'payment.failed' }],
      start: 'notice',
      steps: [
        { id: 'notice', kind: 'email', subject: 'Your payment did not go through', body: 'Hi {{ contact.first_name }},\n\nYour bank declined the last payment. Please update your card in your account so nothing is interrupted.', marketing: false, next: 'wait-1d' },
        { id: 'wait-1d', kind: 'wait', minutes: D, next: 'reminder' },
        { id: 'reminder', kind: 'email', subject: 'Reminder: please update your card', body: 'Your access continues while we retry, but only for a few more days.', marketing: false, next: 'wait-2d' },
        { id: 'wait-2d', kind: 'wait', minutes: 2 * D, next: 'support-task' },
        { id: 'support-task', kind: 'task', role: 'support', title: 'Payment still failing for {{ contact.email }}', dueInDays: 0, subject: 'contact', next: null },
      ],
      goals: paidExit,
    },
  },
];

export function templateById(id: string): Template | null {
  return templates.find((t) => t.id === id) ?? null;
}
