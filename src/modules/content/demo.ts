// The demo business's blog: 20 posts over its year, written by the content assistant and
// approved by the owner (one approval request each), with opt-in and product blocks. Their
// traffic comes from the analytics seed, which reads ctx.shared.blogPaths (it runs after).
// Historical facts are inserted directly (no outbox: nothing reacts to what "happened" months
// ago); events carry their actors, so the owner's share of content work shows.
import type { App } from '../../app.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { approvalRequests } from '../approvals/schema.js';
import { postContentSchema, type PostContent } from './post-content.js';
import { editorialItems, postRevisions, posts } from './schema.js';
import { slugify } from './service.js';

const topics: [string, string[], string][] = [
  ['How to centre clay on the wheel in five minutes', ['technique', 'beginners'], 'Centring is the first wall every beginner hits. Here is the method our students use.'],
  ['Choosing your first pottery wheel without overspending', ['equipment', 'beginners'], 'What matters in a first wheel, what does not, and what to pay.'],
  ['Why your bowls crack while drying (and how to stop it)', ['technique'], 'Uneven drying is the usual culprit. Five habits that fix it.'],
  ['Glaze chemistry for people who hate chemistry', ['glazes'], 'Three ingredients, one idea: how a glaze melts, in plain words.'],
  ['Trimming a foot ring: a step-by-step guide', ['technique'], 'Leather-hard timing, centring upside down and a clean foot.'],
  ['Ten glazes we test on every new clay body', ['glazes'], 'A test-tile routine that saves whole kiln loads.'],
  ['Setting up a home studio in a spare corner', ['studio', 'equipment'], 'Dust, water and storage: a small studio that works.'],
  ['Wedging: ram’s head or spiral?', ['technique', 'beginners'], 'Both work. Which one suits your hands and your clay.'],
  ['Firing schedules for stoneware, explained', ['firing'], 'Ramps, holds and cooling: what each segment does.'],
  ['Pricing your pottery to sell at markets', ['business'], 'Materials, time and the price buyers expect.'],
  ['Pulling handles that do not crack', ['technique'], 'Moisture, attachment and the slow dry.'],
  ['Reduction vs oxidation in plain words', ['firing', 'glazes'], 'Why the same glaze looks different in two kilns.'],
  ['Five throwing drills for the first month', ['beginners', 'technique'], 'Short daily drills that build control faster than big projects.'],
  ['How we photograph pots for the shop', ['business'], 'Light, background and angles on a phone.'],
  ['Reclaiming clay without the mess', ['studio'], 'Slaking, drying and wedging your scraps back into clay.'],
  ['Underglaze decoration for beginners', ['glazes', 'beginners'], 'Brushes, layers and the first firing.'],
  ['What cone 6 means and why it matters', ['firing'], 'Heat work, witness cones and choosing a clay body.'],
  ['Throwing a set of matching mugs', ['technique'], 'Weighing clay, measuring and the rhythm of repetition.'],
  ['Kiln safety at home: the checklist', ['firing', 'studio'], 'Ventilation, clearances and the electrics.'],
  ['From hobby to small business: our first year', ['business'], 'What we would do again, and what we would not.'],
];

export async function seedContentDemo(app: App, ctx: DemoContext): Promise<void> {
  const r = ctx.random;
  const writer = ((ctx.shared.assistants as { id: string; role: string; name: string }[] | undefined) ?? []).find((a) => a.role === 'content');
  const writerActor = writer ? { actorKind: 'assistant', actorId: writer.id, actorRole: 'content' } : { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' };
  const forms = ctx.shared.forms as { weeklyLetter?: string; pricingGuide?: string } | undefined;
  const products = (ctx.shared.products as { id: string; slug: string; kind: string }[] | undefined) ?? [];
  const now = ctx.now.getTime();
  const history: (typeof events.$inferInsert)[] = [];
  const paths: string[] = [];
  for (const [i, [title, tags, excerpt]] of topics.entries()) {
    const written = now - (350 - i * 17) * DAY_MS + r.int(8, 16) * 3_600_000;
    const published = written + r.int(1, 4) * DAY_MS;
    const product = products[i % Math.max(1, products.length)];
    const content: PostContent = postContentSchema.parse({
      title,
      excerpt,
      tags,
      featured: i === topics.length - 1,
      authorId: writer?.id ?? ctx.owner.id,
      html: demoBody(title, excerpt, product ? `/p/${product.slug}` : '/'),
      blocks: [
        ...(forms?.weeklyLetter ? [{ id: 'optin', type: 'optin', heading: 'Get a new post every week', formId: forms.weeklyLetter }] : []),
        ...(product ? [{ id: 'product', type: 'product', productId: product.id }] : []),
      ],
      // Every fifth post is for customers of the first product: a teaser for everyone else.
      ...(i % 5 === 4 && products[0] ? { access: { audience: 'products', productIds: [products[0].id] }, teaser: `${excerpt} The full guide is for our students.` } : {}),
    });
    const slug = slugify(title);
    const [post] = await app.db
      .insert(posts)
      .values({
        slug, status: 'published', draft: content, published: content, authorId: content.authorId, createdById: writer?.id ?? ctx.owner.id,
        title, tags: content.tags, featured: content.featured, audience: content.access.audience, publishedAt: new Date(published), version: 1, createdAt: new Date(written), updatedAt: new Date(published),
      })
      .returning({ id: posts.id });
    await app.db.insert(postRevisions).values({ postId: post!.id, n: 1, slug, content, reason: 'saved', actorKind: writerActor.actorKind, actorId: writerActor.actorId, createdAt: new Date(written) });
    const submitted = new Date(written + 3_600_000);
    const decided = new Date(published);
    const [approval] = await app.db
      .insert(approvalRequests)
      .values({
        kind: 'content.publish', title: `Publish “${title}”`, summary: `A new post at /blog/${slug} (tags: ${tags.join(', ')}).`, data: { postId: post!.id, revision: 1, at: null }, status: 'approved', subjectType: 'post', subjectId: post!.id,
        requestedByKind: writerActor.actorKind as 'assistant', requestedById: writerActor.actorId, requestedByRole: writerActor.actorRole, decidedByKind: 'owner', decidedById: ctx.owner.id, decidedByRole: 'owner', decidedAt: decided, result: 'Published', createdAt: submitted,
      })
      .returning({ id: approvalRequests.id });
    const subject = { subjectType: 'post', subjectId: post!.id };
    const owner = { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' };
    history.push(
      { occurredAt: new Date(written), type: 'post.created', ...writerActor, ...subject, data: { slug, title } },
      { occurredAt: submitted, type: 'post.submitted', ...writerActor, ...subject, data: { slug, title, revision: 1, approvalId: approval!.id, at: null } },
      { occurredAt: submitted, type: 'approval.requested', ...writerActor, subjectType: 'approval', subjectId: approval!.id, data: { approvalId: approval!.id, kind: 'content.publish', title: `Publish “${title}”`, urgent: false, subjectType: 'post', subjectId: post!.id } },
      { occurredAt: decided, type: 'approval.approved', ...owner, subjectType: 'approval', subjectId: approval!.id, data: { approvalId: approval!.id, kind: 'content.publish', title: `Publish “${title}”`, requestedBy: writer ? `assistant:${writer.id}` : 'owner', result: 'Published' } },
      { occurredAt: decided, type: 'post.published', ...owner, ...subject, data: { slug, title, version: 1, revision: 1, approvalId: approval!.id } },
    );
    paths.push(`/blog/${slug}`);
  }
  // The next two weeks' plan: the content assistant owns both.
  const day = (d: number) => new Date(now + d * DAY_MS).toISOString().slice(0, 10);
  await app.db.insert(editorialItems).values([
    { title: 'Slip casting: a first look', dueOn: day(4), ownerId: writer?.id ?? null, createdAt: new Date(now - 3 * DAY_MS) },
    { title: 'Our spring workshop: what to bring', dueOn: day(11), ownerId: writer?.id ?? null, createdAt: new Date(now - 3 * DAY_MS) },
  ]);
  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));
  ctx.shared.blogPaths = paths;
}

function demoBody(title: string, excerpt: string, link: string): string {
  const para = (s: string) => `<p>${s}</p>`;
  return [
    para(excerpt),
    '<h2>What you need</h2>',
    para('A bag of stoneware clay, a bucket of water, a sponge and about an hour. Nothing else: the rest is practice, and this post is about making that practice count.'),
    para('Most of what goes wrong at the start comes from rushing. Take the first ten minutes slowly, and the next fifty go faster than you expect.'),
    '<h2>Step by step</h2>',
    '<ol><li>Prepare the clay and the wheel.</li><li>Work in short, steady movements.</li><li>Check, adjust, and check again.</li></ol>',
    para(`If you want to go further, the course at <a href="${link}">this page</a> walks through ${title.toLowerCase()} with video for every step.`),
    '<h2>Common mistakes</h2>',
    para('Too much water, too little patience, and a wheel that runs too fast. Every one of them is easy to fix once you know to look for it.'),
  ].join('');
}
