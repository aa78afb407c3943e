// Who may publish what without the owner: the per-role policy the owner sets. Pure, so the
// route × role tests and the admin's settings page read the same rules.
import { z } from 'zod';
import type { Actor } from '../../actor.js';

export const policyRoles = ['admin', 'content', 'marketing'] as const;
export type PolicyRole = (typeof policyRoles)[number];

export const rolePolicySchema = z.discriminatedUnion('mode', [
  /** publishes without asking */
  z.object({ mode: z.literal('free') }),
  /** every publication waits for the owner */
  z.object({ mode: z.literal('approval') }),
  /** publishes freely when every tag of the post is one of these; otherwise asks */
  z.object({ mode: z.literal('tags'), tags: z.array(z.string().trim().toLowerCase().min(1).max(40)).min(1).max(20) }),
]);
export type RolePolicy = z.output<typeof rolePolicySchema>;

export const blogSettingsSchema = z.object({
  title: z.string().trim().min(1).max(100).default('Blog'),
  description: z.string().trim().max(300).default(''),
  postsPerPage: z.number().int().min(1).max(50).default(10),
  policies: z
    .object({ admin: rolePolicySchema, content: rolePolicySchema, marketing: rolePolicySchema })
    .default({ admin: { mode: 'free' }, content: { mode: 'approval' }, marketing: { mode: 'approval' } }),
  robots: z
    .object({
      /** paths no crawler should read (beyond the admin and the API, always disallowed) */
      disallow: z.array(z.string().trim().max(200).regex(/^\/[^\s\u0000]*$/, 'a path starting with /')).max(50).default([]),
      /** true: ask every crawler to stay away (a staging copy) */
      blockAll: z.boolean().default(false),
    })
    .default({ disallow: [], blockAll: false }),
});
export type BlogSettings = z.output<typeof blogSettingsSchema>;
export const defaultBlogSettings: BlogSettings = blogSettingsSchema.parse({});

/**
 * Whether this actor's publication of a post with these tags waits for the owner. The owner
 * and the system (a schedule the owner's policy already allowed) never wait; automations do.
 */
export function needsApproval(actor: Actor, tags: string[], settings: BlogSettings): boolean {
  if (actor.kind === 'owner' || actor.kind === 'system') return false;
  if (actor.kind !== 'assistant') return true;
  const policy = (settings.policies as Record<string, RolePolicy | undefined>)[actor.role];
  if (!policy || policy.mode === 'approval') return true;
  if (policy.mode === 'free') return false;
  return tags.length === 0 || tags.some((t) => !policy.tags.includes(t));
}

/** The policy in a sentence, for the editor ("You publish freely within: news, tips"). */
export function describePolicy(actor: Actor, settings: BlogSettings): string {
  if (actor.kind === 'owner') return 'You publish freely.';
  if (actor.kind !== 'assistant') return 'Publications wait for the owner’s approval.';
  const policy = (settings.policies as Record<string, RolePolicy | undefined>)[actor.role];
  if (!policy || policy.mode === 'approval') return 'Your posts go to the owner for approval before they are published.';
  if (policy.mode === 'free') return 'You publish freely.';
  return `You publish freely posts tagged only ${policy.tags.join(', ')}; other posts go to the owner for approval.`;
}
