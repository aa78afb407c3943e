import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { addMember, backends, createTestApp, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { AUTHOR_CHANGED_JOB, contentJobs, PUBLISH_DUE_JOB } from './jobs.js';
import { mailJobs } from '../mail/index.js';

const body = (n: number) =>
  `<h2>Why clay</h2>${Array.from({ length: n }, (_, i) => `<p>Paragraph ${i} about centring clay on the wheel, trimming and glazing.</p>`).join('')}<p>See <a href="/blog/missing-post">this</a> and <a href="https://example.com">that</a>.</p><script>alert(1)</script><img src="https://cdn.example.com/a.jpg" onerror="x()">`;

const draft = (title: string, extra: Record<string, unknown> = {}) => ({ title, excerpt: 'How to centre clay on the wheel in five minutes, even as a complete beginner with cold hands.', html: body(60), tags: ['technique'], ...extra });

for (const backend of backends()) {
  describe(`blog posts [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
    });
    after(() => t.close());

    it('a draft is sanitised, gets an address, a reading time and an SEO checklist, and is invisible to visitors', async () => {
      const res = await owner.post('/api/posts', { content: draft('Centring clay: the five-minute method') });
      assert.equal(res.statusCode, 201, res.body);
      const post = res.json();
      assert.equal(post.slug, 'centring-clay-the-five-minute-method');
      assert.equal(post.status, 'draft');
      assert.doesNotMatch(JSON.stringify(post.draft), /<script|onerror/);
      assert.match(post.draft.html, /href="https:\/\/example.com" rel="nofollow noopener"/);
      assert.match(post.draft.html, /href="\/blog\/missing-post">/, 'internal links keep their authority');
      assert.ok(post.readingMinutes >= 2);
      const seo = Object.fromEntries(post.seo.map((c: { id: string; ok: boolean; message: string }) => [c.id, c]));
      assert.equal(seo.brokenLinks.ok, false);
      assert.match(seo.brokenLinks.message, /\/blog\/missing-post/);
      assert.equal(seo.alt.ok, false, 'the image has no alt text');
      assert.equal(seo.headings.ok, true);
      assert.equal((await t.server.inject({ method: 'GET', url: `/blog/${post.slug}` })).statusCode, 404);
      const bad = await owner.post('/api/posts', { content: { title: 'x\u0000y' } });
      assert.equal(bad.statusCode, 400);
      const empty = await owner.post('/api/posts', { content: { title: '' } });
      assert.equal(empty.statusCode, 400);
      const badSlug = await owner.post('/api/posts', { slug: '../etc', content: { title: 'Fine' } });
      assert.equal(badSlug.statusCode, 400);
    });

    it('revisions: every save is one, a diff says what changed, restore brings an old one back', async () => {
      const post = (await owner.post('/api/posts', { content: draft('Glaze recipes that never run') })).json();
      const v2 = await owner.patch(`/api/posts/${post.id}`, { draft: draft('Glaze recipes that never run off the pot') });
      assert.equal(v2.json().revision, 2);
      const same = await owner.patch(`/api/posts/${post.id}`, { draft: draft('Glaze recipes that never run off the pot') });
      assert.equal(same.json().revision, 2, 'saving without a change makes no revision');
      const diff = (await owner.get(`/api/posts/${post.id}/diff?from=1&to=2`)).json();
      assert.deepEqual(
        diff.lines.filter((l: { op: string }) => l.op !== 'same'),
        [
          { op: 'removed', text: 'Title: Glaze recipes that never run' },
          { op: 'added', text: 'Title: Glaze recipes that never run off the pot' },
        ],
      );
      const restored = (await owner.post(`/api/posts/${post.id}/restore`, { revision: 1 })).json();
      assert.equal(restored.draft.title, 'Glaze recipes that never run');
      assert.equal(restored.revision, 3);
      const revs = (await owner.get(`/api/posts/${post.id}/revisions`)).json().revisions;
      assert.deepEqual(revs.map((r: { n: number; reason: string }) => [r.n, r.reason]), [[3, 'restored'], [2, 'saved'], [1, 'saved']]);
    });

    it('the owner publishes; the post, its tag page, feeds and sitemap show it; a slug change answers 301', async () => {
      const post = (await owner.post('/api/posts', { content: draft('Trimming a bowl foot cleanly', { tags: ['technique', 'bowls'], cover: { url: 'https://cdn.example.com/cover.jpg', alt: 'A trimmed bowl', width: 1200, height: 800 } }) })).json();
      const pub = await owner.post(`/api/posts/${post.id}/publish`, {});
      assert.equal(pub.json().outcome, 'published', pub.body);
      const page = await t.server.inject({ method: 'GET', url: '/blog/trimming-a-bowl-foot-cleanly' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1>Trimming a bowl foot cleanly<\/h1>/);
      assert.match(page.body, /<meta property="og:type" content="article"/);
      assert.match(page.body, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:3000\/blog\/trimming-a-bowl-foot-cleanly"/);
      assert.match(page.body, /<img class="post-cover" src="https:\/\/cdn.example.com\/cover.jpg" alt="A trimmed bowl" width="1200" height="800" fetchPriority="high"/i);
      assert.match(page.body, /"@type":"BlogPosting"/);
      assert.match(page.body, /"@type":"BreadcrumbList"/);
      assert.match(page.body, /"@type":"Organization"/);
      // 304 on a second visit with its ETag
      const again = await t.server.inject({ method: 'GET', url: '/blog/trimming-a-bowl-foot-cleanly', headers: { 'if-none-match': String(page.headers.etag) } });
      assert.equal(again.statusCode, 304);
      assert.match((await t.server.inject({ method: 'GET', url: '/blog' })).body, /Trimming a bowl foot cleanly/);
      assert.match((await t.server.inject({ method: 'GET', url: '/blog/tag/bowls' })).body, /Trimming a bowl foot cleanly/);
      assert.equal((await t.server.inject({ method: 'GET', url: '/blog/tag/nothing-here' })).statusCode, 404);
      assert.match((await t.server.inject({ method: 'GET', url: '/feed.xml' })).body, /Trimming a bowl foot cleanly/);
      assert.match((await t.server.inject({ method: 'GET', url: '/blog/tag/bowls/atom.xml' })).body, /Trimming a bowl foot cleanly/);
      assert.match((await t.server.inject({ method: 'GET', url: '/sitemap-posts.xml' })).body, /\/blog\/trimming-a-bowl-foot-cleanly<\/loc><lastmod>/);

      const moved = await owner.patch(`/api/posts/${post.id}`, { slug: 'trim-a-bowl-foot' });
      assert.equal(moved.statusCode, 200, moved.body);
      const old = await t.server.inject({ method: 'GET', url: '/blog/trimming-a-bowl-foot-cleanly', headers: { accept: 'text/html' } });
      assert.equal(old.statusCode, 301);
      assert.equal(old.headers.location, '/blog/trim-a-bowl-foot');
      assert.equal((await t.server.inject({ method: 'GET', url: '/blog/trim-a-bowl-foot' })).statusCode, 200);
      // Moving again leaves no chain: the first address now goes straight to the newest.
      await owner.patch(`/api/posts/${post.id}`, { slug: 'bowl-feet' });
      const first = await t.server.inject({ method: 'GET', url: '/blog/trimming-a-bowl-foot-cleanly' });
      assert.equal(first.headers.location, '/blog/bowl-feet');
      const redirects = (await owner.get('/api/redirects')).json().redirects;
      assert.ok(redirects.every((r: { automatic: boolean }) => r.automatic));
      // A 404 elsewhere suggests posts.
      const lost = await t.server.inject({ method: 'GET', url: '/blog/bowl-trimming-tips', headers: { accept: 'text/html' } });
      assert.equal(lost.statusCode, 404);
      assert.match(lost.body, /Perhaps one of these posts/);
      assert.match(lost.body, /href="\/blog\/bowl-feet"/);
    });

    it('a scheduled post goes live when the virtual clock reaches its time, through the job', async () => {
      const post = (await owner.post('/api/posts', { content: draft('Firing schedules for stoneware') })).json();
      const at = new Date(t.clock.now().getTime() + 3 * 86_400_000);
      const res = await owner.post(`/api/posts/${post.id}/publish`, { at: at.toISOString() });
      assert.equal(res.json().outcome, 'scheduled');
      const job = contentJobs.find((j) => j.name === PUBLISH_DUE_JOB)!;
      await job.handler(t.app, {}, { id: 'test', name: PUBLISH_DUE_JOB, retryCount: 0 });
      assert.equal((await t.server.inject({ method: 'GET', url: '/blog/firing-schedules-for-stoneware' })).statusCode, 404, 'not before its time');
      t.clock.advance(3 * 86_400_000 + 1000);
      await job.handler(t.app, {}, { id: 'test', name: PUBLISH_DUE_JOB, retryCount: 0 });
      const live = (await owner.get(`/api/posts/${post.id}`)).json();
      assert.equal(live.status, 'published');
      assert.equal(new Date(live.publishedAt).getTime(), t.clock.now().getTime());
      assert.equal((await t.server.inject({ method: 'GET', url: '/blog/firing-schedules-for-stoneware' })).statusCode, 200);
      const events = await t.app.database.execute<{ type: string; actor_kind: string }>(`select type, actor_kind from events where subject_id = $1 order by id`, [post.id]);
      assert.deepEqual(events.rows.map((e) => `${e.type}:${e.actor_kind}`), ['post.created:owner', 'post.scheduled:owner', 'post.published:system']);
      // A second run publishes nothing twice.
      await job.handler(t.app, {}, { id: 'test', name: PUBLISH_DUE_JOB, retryCount: 0 });
      const again = await t.app.database.execute(`select 1 from events where subject_id = $1 and type = 'post.published'`, [post.id]);
      assert.equal(again.rows.length, 1);
    });

    it('fifty first visitors at once get one render of a post between them', async () => {
      const post = (await owner.post('/api/posts', { content: draft('Reclaiming clay scraps in a bucket') })).json();
      assert.equal((await owner.post(`/api/posts/${post.id}/publish`, {})).json().outcome, 'published');
      const team = t.app.team;
      const listUsers = team.listUsers;
      let renders = 0;
      team.listUsers = (async (...args: Parameters<typeof listUsers>) => {
        renders++;
        return listUsers.apply(team, args);
      }) as typeof listUsers;
      try {
        const all = await Promise.all(Array.from({ length: 50 }, () => t.server.inject({ method: 'GET', url: `/blog/${post.slug}` })));
        assert.deepEqual([...new Set(all.map((r) => r.statusCode))], [200]);
        assert.equal(new Set(all.map((r) => r.headers.etag)).size, 1);
        assert.equal(renders, 1, 'the byline (and the page) rendered once, not once per visitor');
      } finally {
        team.listUsers = listUsers;
      }
    });

    it('unknown ids and bad input are clear 4xx', async () => {
      assert.equal((await owner.get(`/api/posts/${randomUUID()}`)).statusCode, 404);
      assert.equal((await owner.post(`/api/posts/${randomUUID()}/publish`, {})).statusCode, 404);
      assert.equal((await owner.post('/api/redirects', { from: 'no-slash', to: '/blog' })).statusCode, 400);
      assert.equal((await owner.post('/api/redirects', { from: '/api/x', to: '/blog' })).statusCode, 400);
      const r = await owner.post('/api/redirects', { from: '/old-page', to: '/blog' });
      assert.equal(r.statusCode, 201, r.body);
      const hit = await t.server.inject({ method: 'GET', url: '/old-page' });
      assert.equal(hit.statusCode, 301);
      assert.equal(hit.headers.location, '/blog');
    });
  });

  describe(`blog bylines follow the team [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      // The subscriber runs through the job queue, as in production; only the blog's and mail's
      // jobs (an invitation queues a mail), so the other modules' crons do not load the run.
      t = await createTestApp(backend, { startWorkers: true, jobs: [...contentJobs, ...mailJobs] });
      owner = await setupOwner(t);
    });
    after(() => t.close());

    const delivered = async (type: string) => {
      const rows = await t.app.database.execute(`select 1 from events e join event_deliveries d on d.event_id = e.id and d.subscriber = $1 where e.type = $2`, [AUTHOR_CHANGED_JOB, type]);
      return rows.rows.length > 0;
    };

    it('renaming the author re-renders the post, the index and the feeds (through user.renamed)', async () => {
      const post = (await owner.post('/api/posts', { content: draft('Trimming a bowl foot without a chuck') })).json();
      assert.equal((await owner.post(`/api/posts/${post.id}/publish`, {})).json().outcome, 'published');
      const page = () => t.server.inject({ method: 'GET', url: `/blog/${post.slug}` });
      const feed = () => t.server.inject({ method: 'GET', url: '/atom.xml' });
      // Rendered into the cache with the old name first.
      assert.match((await page()).body, /Olivia Owner/);
      assert.match((await feed()).body, /<name>Olivia Owner<\/name>/);
      const before = await t.app.content.revision();
      const renamed = await owner.patch('/api/me', { name: 'Olivia Potter' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal(renamed.json().name, 'Olivia Potter');
      await waitFor(() => delivered('user.renamed'), { what: 'the blog to take the rename' });
      assert.ok((await t.app.content.revision()) > before, 'the blog revision moved');
      const after = await waitFor(async () => {
        const r = await page();
        return r.body.includes('Olivia Potter') ? r : null;
      }, { what: 'the new byline' });
      assert.doesNotMatch(after.body, /Olivia Owner/);
      assert.match(JSON.stringify(after.body.match(/"author":\{[^}]*\}/)?.[0]), /Olivia Potter/, 'the JSON-LD author too');
      assert.match((await feed()).body, /<name>Olivia Potter<\/name>/);
      const [event] = (await t.app.database.execute<{ data: { from: string; to: string }; actor_kind: string }>(`select data, actor_kind from events where type = 'user.renamed'`)).rows;
      assert.deepEqual(event?.data, { from: 'Olivia Owner', to: 'Olivia Potter' });
      assert.equal(event?.actor_kind, 'owner');
    });

    it('renaming someone who authors no live post leaves the cache alone; API keys and empty names are refused', async () => {
      const writer = await addMember(t, owner, 'content');
      const before = await t.app.content.revision();
      assert.equal((await writer.patch('/api/me', { name: '  ' })).statusCode, 400);
      assert.equal((await writer.patch('/api/me', { name: 'Wendy Writer' })).statusCode, 200);
      await waitFor(async () => (await t.app.database.execute(`select 1 from events e join event_deliveries d on d.event_id = e.id and d.subscriber = $1 where e.type = 'user.renamed' and e.data->>'to' = 'Wendy Writer'`, [AUTHOR_CHANGED_JOB])).rows.length > 0, { what: 'the delivery' });
      assert.equal(await t.app.content.revision(), before);
      assert.equal((await t.server.inject({ method: 'PATCH', url: '/api/me', payload: { name: 'Nobody' } })).statusCode, 401);
    });
  });
}
