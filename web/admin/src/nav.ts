// The admin's navigation and routes, in one place. Each entry is one area: its link, who
// sees it (a permission from src/permissions.ts; the server still checks every call), a
// one-line description (Home and the empty states use it) and its page, loaded on first
// visit. A page answers its path and every path below it, so an area adds its own sub-pages
// with nested <Routes> inside web/admin/src/pages/<area>/ without touching this file again.
//
// To add a module's admin: replace the placeholder in pages/<area>/<area>-page.tsx (or point
// `page` at a new file). To add an area: add an entry here.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { IconName } from './components/icon.js';
import type { Permission } from './shared.js';

export type NavSection = 'top' | 'business' | 'records' | 'you';

export const navSections: { id: NavSection; label: string | null }[] = [
  { id: 'top', label: null },
  { id: 'business', label: 'Business' },
  { id: 'records', label: 'Team & records' },
  { id: 'you', label: 'You' },
];

export interface NavItem {
  id: string;
  label: string;
  /** under /admin; "/" is Home */
  path: string;
  section: NavSection;
  /** shown to roles that hold it; null: every signed-in person */
  permission: Permission | null;
  description: string;
  icon: IconName;
  page: LazyExoticComponent<ComponentType>;
}

export const navItems: NavItem[] = [
  { id: 'home', label: 'Home', path: '/', section: 'top', permission: null, icon: 'home', description: 'Where to start and what needs you.', page: lazy(() => import('./pages/home/home-page.js')) },
  { id: 'my-day', label: 'My day', path: '/my-day', section: 'top', permission: 'tasks.work', icon: 'check', description: 'Your tasks due today and overdue, with their checklists, and your conversations.', page: lazy(() => import('./pages/tasks/my-day-page.js')) },
  { id: 'approvals', label: 'Approvals', path: '/approvals', section: 'top', permission: 'approvals.decide_delegated', icon: 'review', description: 'Decisions the owner handed to you, to approve or refuse in their place.', page: lazy(() => import('./pages/approvals/approvals-page.js')) },
  { id: 'review', label: 'Weekly review', path: '/review', section: 'top', permission: 'owner.review', icon: 'review', description: 'Your hour a week: what ran without you, what declined, what needs a decision.', page: lazy(() => import('./pages/review/review-page.js')) },

  { id: 'products', label: 'Products', path: '/products', section: 'business', permission: 'catalog.read', icon: 'products', description: 'Courses, downloads, memberships and bundles, with their prices, coupons and upsells.', page: lazy(() => import('./pages/products/products-page.js')) },
  { id: 'orders', label: 'Orders', path: '/orders', section: 'business', permission: 'orders.read', icon: 'orders', description: 'Every order and payment, refunds, failed-payment recovery and receipts.', page: lazy(() => import('./pages/orders/orders-page.js')) },
  { id: 'customers', label: 'Customers', path: '/customers', section: 'business', permission: 'customers.read', icon: 'customers', description: 'Each buyer with their orders, courses, emails and support history.', page: lazy(() => import('./pages/customers/customers-page.js')) },
  { id: 'pages', label: 'Pages', path: '/pages', section: 'business', permission: 'pages.write', icon: 'pages', description: 'Landing, sales and opt-in pages built from blocks.', page: lazy(() => import('./pages/site/site-page.js')) },
  { id: 'blog', label: 'Blog', path: '/blog', section: 'business', permission: 'content.read', icon: 'pages', description: 'Posts that bring visitors from search, written by your team and approved per your policy.', page: lazy(() => import('./pages/blog/blog-page.js')) },
  { id: 'courses', label: 'Courses', path: '/courses', section: 'business', permission: 'learning.read', icon: 'courses', description: 'Modules and lessons, drip schedules, quizzes, certificates and student progress.', page: lazy(() => import('./pages/courses/courses-page.js')) },
  { id: 'contacts', label: 'Contacts', path: '/contacts', section: 'business', permission: 'contacts.read', icon: 'contacts', description: 'Your list: consent, double opt-in, tags, segments, forms and CSV import.', page: lazy(() => import('./pages/contacts/contacts-page.js')) },
  { id: 'broadcasts', label: 'Broadcasts', path: '/broadcasts', section: 'business', permission: 'mail.send', icon: 'broadcasts', description: 'Emails to a segment of your list, with opens, clicks and unsubscribes.', page: lazy(() => import('./pages/broadcasts/broadcasts-page.js')) },
  { id: 'automations', label: 'Automations', path: '/automations', section: 'business', permission: 'automation.read', icon: 'automations', description: 'Evergreen sequences and workflows that react to what happens.', page: lazy(() => import('./pages/automations/automations-page.js')) },
  { id: 'analytics', label: 'Analytics', path: '/analytics', section: 'business', permission: 'analytics.read', icon: 'analytics', description: 'Traffic and its sources, funnels, revenue, MRR, churn and cohorts.', page: lazy(() => import('./pages/analytics/analytics-page.js')) },
  { id: 'inbox', label: 'Inbox', path: '/inbox', section: 'business', permission: 'support.read', icon: 'inbox', description: 'Customer email in one shared inbox, with assignment and canned replies.', page: lazy(() => import('./pages/inbox/inbox-page.js')) },

  { id: 'settings', label: 'Settings', path: '/settings', section: 'records', permission: 'settings.manage', icon: 'settings', description: 'Your business as customers see it: name, logo, colours, theme, sender, addresses and legal pages.', page: lazy(() => import('./pages/settings/settings-page.js')) },
  { id: 'team', label: 'Team', path: '/team', section: 'records', permission: 'team.read', icon: 'team', description: 'Who helps run the business, their roles, and invitations.', page: lazy(() => import('./pages/team/team-page.js')) },
  { id: 'api-keys', label: 'API keys', path: '/api-keys', section: 'records', permission: 'apikeys.manage', icon: 'key', description: 'Keys for your own scripts and tools, each limited to one role.', page: lazy(() => import('./pages/api-keys/api-keys-page.js')) },
  { id: 'webhooks', label: 'Webhooks', path: '/webhooks', section: 'records', permission: 'webhooks.manage', icon: 'webhooks', description: 'Send what happens in the business to your other tools, signed, retried and logged.', page: lazy(() => import('./pages/webhooks/webhooks-page.js')) },
  { id: 'tasks', label: 'Tasks', path: '/tasks', section: 'records', permission: 'tasks.manage', icon: 'review', description: 'Recurring work for the team, each following an SOP, and who did it when.', page: lazy(() => import('./pages/tasks/tasks-page.js')) },
  { id: 'sops', label: 'SOPs', path: '/sops', section: 'records', permission: 'tasks.work', icon: 'pages', description: 'How things are done here: procedures written as checklists.', page: lazy(() => import('./pages/tasks/sops-page.js')) },
  { id: 'activity', label: 'Activity', path: '/activity', section: 'records', permission: 'activity.read', icon: 'activity', description: 'Everything that happened in the business, and who did it.', page: lazy(() => import('./pages/activity/activity-page.js')) },
  { id: 'audit', label: 'Audit log', path: '/audit', section: 'records', permission: 'audit.read', icon: 'audit', description: 'Every admin change and every refused request: who, what, when, from where.', page: lazy(() => import('./pages/audit/audit-page.js')) },
  { id: 'outbox', label: 'Outbox', path: '/outbox', section: 'records', permission: 'mail.read', icon: 'outbox', description: 'The emails Onehour sent or keeps, with a preview of each.', page: lazy(() => import('./pages/outbox/outbox-page.js')) },

  { id: 'account', label: 'My account', path: '/account', section: 'you', permission: null, icon: 'account', description: 'Your password, two-factor sign-in and signed-in devices.', page: lazy(() => import('./pages/account/account-page.js')) },
];
