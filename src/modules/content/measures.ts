// What each post brings: visitors by source, opt-ins and sales, from the analytics module's
// public face (cookieless: a visitor is known for one UTC day, so "first touch" here is the
// post read earlier the same day as the purchase; across days no cookieless tool can tell).
//   - visitors, by source: the traffic panels filtered to the post's path;
//   - opt-ins: visitors who read the post and then submitted a form (funnel page → form_submitted);
//   - sales, last touch: orders whose paying visit entered on the post (revenue by entry page);
//   - sales, first touch: visitors who read the post and later paid that day (funnel page → order_paid).
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { AnalyticsService } from '../analytics/index.js';
import { posts } from './schema.js';

export type PostAnalytics = Pick<AnalyticsService, 'panel' | 'funnel' | 'revenueRows'>;

export interface TopPost {
  postId: string;
  slug: string;
  title: string;
  path: string;
  visitors: number;
  sources: { source: string; visitors: number }[];
  optIns: number;
  salesFirstTouch: number;
  salesLastTouch: number;
  revenueLastTouch: number;
  currency: string;
}

/** The published posts ranked by visitors over [from, to] (UTC days, YYYY-MM-DD): the owner's weekly review reads it. */
export async function topPosts(db: DbOrTx, range: { from: string; to: string; limit?: number }, analytics: PostAnalytics): Promise<TopPost[]> {
  const rows = await db.select({ id: posts.id, slug: posts.slug, title: posts.title }).from(posts).where(and(eq(posts.status, 'published'), sql`true`));
  if (!rows.length) return [];
  const dayRange = { from: range.from, to: range.to };
  const pages = new Map((await analytics.panel('pages', dayRange, null, 10_000)).map((p) => [p.value, p.visitors]));
  const entry = await analytics.revenueRows('entryPages', dayRange);
  const lastTouch = new Map(entry.rows.map((r) => [r.value, r]));
  const ranked = rows.map((r) => ({ ...r, path: `/blog/${r.slug}`, visitors: pages.get(`/blog/${r.slug}`) ?? 0 })).sort((a, b) => b.visitors - a.visitors);
  const top = ranked.slice(0, range.limit ?? 10);
  return Promise.all(
    top.map(async (p) => {
      const q = { period: 'custom' as const, from: range.from, to: range.to };
      const [sources, optin, sale] = p.visitors
        ? await Promise.all([
            analytics.panel('sources', dayRange, { dim: 'page', value: p.path }, 10),
            analytics.funnel(q, [{ kind: 'page', match: p.path }, { kind: 'event', match: 'form_submitted' }]),
            analytics.funnel(q, [{ kind: 'page', match: p.path }, { kind: 'event', match: 'order_paid' }]),
          ])
        : [[], null, null];
      const lt = lastTouch.get(p.path);
      return {
        postId: p.id,
        slug: p.slug,
        title: p.title,
        path: p.path,
        visitors: p.visitors,
        sources: sources.map((s) => ({ source: s.value, visitors: s.visitors })),
        optIns: optin?.steps[1]?.visitors ?? 0,
        salesFirstTouch: sale?.steps[1]?.visitors ?? 0,
        salesLastTouch: lt?.orders ?? 0,
        revenueLastTouch: lt?.net ?? 0,
        currency: entry.currency,
      };
    }),
  );
}
