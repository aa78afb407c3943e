// The demo blog: 20 posts over the year by the content assistant, each approved by the owner,
// with traffic from the analytics seed, measured per post for the weekly review.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type Client } from '../../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../../test/support/demo-snapshot.js';
import { topPosts } from './measures.js';

for (const backend of backends()) {
  describe(`the demo blog [${backend}]`, () => {
    let t: DemoTestApp;
    let owner: Client;
    before(async () => {
      t = await createDemoTestApp(backend);
      owner = t.owner;
    });
    after(() => t.close());

    it('has 20 published posts written by the content assistant and approved by the owner', async () => {
      const posts = await t.app.content.list(t.app.db, { status: 'published' });
      assert.equal(posts.length, 20);
      const byType = (await t.app.database.execute<{ type: string; who: string; n: number }>(
        `select type, coalesce(actor_role, actor_kind) as who, count(*)::int as n from events where subject_type = 'post' group by 1, 2 order by 1, 2`,
      )).rows.map((r) => `${r.type}:${r.who}:${r.n}`);
      assert.deepEqual(byType, ['post.created:content:20', 'post.published:owner:20', 'post.submitted:content:20']);
      const approvals = await t.app.approvals.list(t.app.db, { kind: 'content.publish' });
      assert.equal(approvals.filter((a) => a.status === 'approved').length, 20);
      assert.ok(approvals.every((a) => a.requestedBy.role === 'content'));
    });

    it('the blog, its sitemap and its feed show them; members-only posts stay out of the sitemap', async () => {
      const index = await t.server.inject({ method: 'GET', url: '/blog' });
      assert.equal(index.statusCode, 200);
      assert.match(index.body, /From hobby to small business: our first year/);
      assert.match((await t.server.inject({ method: 'GET', url: '/blog?page=2' })).body, /Page 2 of 2/);
      const sitemap = (await t.server.inject({ method: 'GET', url: '/sitemap-posts.xml' })).body;
      assert.equal((sitemap.match(/<loc>[^<]*\/blog\/[a-z0-9-]+<\/loc>/g) ?? []).length, 16, '20 posts less the 4 for customers');
      assert.equal((await t.server.inject({ method: 'GET', url: '/feed.xml' })).body.match(/<item>/g)?.length, 20);
    });

    it('topPosts ranks the posts by visitors over a period, with their sources, opt-ins and sales', async () => {
      const to = t.app.clock.now().toISOString().slice(0, 10);
      const from = new Date(t.app.clock.now().getTime() - 90 * 86_400_000).toISOString().slice(0, 10);
      const top = await topPosts(t.app.db, { from, to, limit: 5 }, t.app.analytics);
      assert.equal(top.length, 5);
      assert.ok(top[0]!.visitors > 0, JSON.stringify(top[0]));
      assert.ok(top.every((p, i) => i === 0 || top[i - 1]!.visitors >= p.visitors), 'ranked by visitors');
      assert.ok(top[0]!.sources.length > 1, 'visitors by source');
      assert.ok(top.some((p) => p.optIns > 0), 'opt-ins after reading');
      assert.ok(top.some((p) => p.salesLastTouch > 0 || p.salesFirstTouch > 0), 'sales attributed');
      const api = await owner.get('/api/blog/top-posts?limit=3');
      assert.equal(api.statusCode, 200, api.body);
      assert.equal(api.json().posts.length, 3);
      assert.ok(api.json().posts[0].visitors > 0);
      assert.equal((await owner.get('/api/blog/top-posts?from=2026-12-01&to=2026-11-01')).statusCode, 400);
    });
  });
}
