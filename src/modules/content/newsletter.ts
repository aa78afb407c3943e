// Sending a post as a newsletter: a broadcast of the mail engine (its audience snapshot,
// throttling, tracking and unsubscribe), to a segment or a list, once per post. A members-only
// post is sent as its teaser with a link: the body stays behind the gate.
import type { Actor } from '../../actor.js';
import type { Database } from '../../db/client.js';
import { conflict } from '../../errors.js';
import type { MailService } from '../mail/index.js';
import { plainText } from './post-content.js';
import type { ContentService } from './service.js';

export class BlogNewsletter {
  constructor(
    private readonly deps: { database: Database; content: ContentService; mail: Pick<MailService, 'broadcasts'>; publicUrl: string },
  ) {}

  async send(postId: string, input: { segmentId?: string | null; listId?: string | null; at?: string | null }, actor: Actor): Promise<{ broadcastId: string }> {
    const post = await this.deps.content.get(this.deps.database.db, postId);
    if (post.status !== 'published' || !post.published) throw conflict('Publish the post before sending it as a newsletter');
    if (post.broadcastId) throw conflict('This post was already sent as a newsletter');
    const c = post.published;
    const url = `${this.deps.publicUrl}/blog/${post.slug}`;
    const open = c.access.audience === 'everyone';
    const lead = open ? c.excerpt || plainText(c.html).slice(0, 600) : c.teaser || c.excerpt;
    const paragraphs = open ? plainText(c.html.replace(/<\/(p|h2|h3|li)>/g, '\n\n')).slice(0, 3000) : '';
    const body = [`# ${c.title}`, lead, paragraphs && paragraphs !== lead ? paragraphs : '', `[Read “${c.title}” on the blog](${url})`]
      .filter(Boolean)
      .join('\n\n')
      // The body is a Liquid template: a post's own braces are text, not tags.
      .replace(/\{([{%])/g, '{ $1');
    const b = await this.deps.mail.broadcasts.create({ name: `Post: ${c.title}`.slice(0, 200), subject: c.title, preheader: (c.excerpt || '').slice(0, 150), format: 'markdown', body, segmentId: input.segmentId ?? null, listId: input.listId ?? null }, actor);
    await this.deps.mail.broadcasts.schedule(b.id, input.at ? new Date(input.at) : null, actor);
    await this.deps.database.transaction((tx) => this.deps.content.setBroadcastInTx(tx, postId, b.id, input.segmentId ?? null, actor));
    return { broadcastId: b.id };
  }
}
