// The owner's bounded authority over the blog: per-role policy, submissions as approval
// requests of kind content.publish, and every step an event with its actor.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';

const content = (title: string, tags: string[] = []) => ({
  title,
  excerpt: 'A short excerpt that says what the post is about in a sentence or two for search.',
  html: '<h2>Part one</h2><p>Some words about pottery.</p>',
  tags,
});

for (const backend of backends()) {
  describe(`blog approval policy per role [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let writer: Client;
    let marketer: Client;
    let admin: Client;
    let support: Client;
    const status = async (slug: string) => (await t.server.inject({ method: 'GET', url: `/blog/${slug}` })).statusCode;
    const eventsOf = async (id: string) =>
      (await t.app.database.execute<{ type: string; actor_kind: string; actor_role: string | null }>(`select type, actor_kind, actor_role from events where subject_id = $1 order by id`, [id])).rows.map((e) => `${e.type}:${e.actor_role ?? e.actor_kind}`);

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      writer = await addMember(t, owner, 'content');
      marketer = await addMember(t, owner, 'marketing');
      admin = await addMember(t, owner, 'admin');
      support = await addMember(t, owner, 'support');
    });
    after(() => t.close());

    it('by default the content role submits, and the owner’s approval publishes exactly what was submitted', async () => {
      const post = (await writer.post('/api/posts', { content: content('How to wedge clay without a table') })).json();
      const res = await writer.post(`/api/posts/${post.id}/publish`, {});
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().outcome, 'submitted');
      assert.equal(res.json().post.status, 'submitted');
      assert.equal(await status(post.slug), 404, 'nothing is public before the owner decides');
      // An edit after submitting does not change what the owner approves.
      await writer.patch(`/api/posts/${post.id}`, { draft: content('How to wedge clay without a table (edited later)') });
      const pending = (await owner.get('/api/approvals?status=pending&kind=content.publish')).json();
      const request = (pending.approvals ?? pending.requests ?? pending).find((a: { subjectId: string }) => a.subjectId === post.id);
      assert.ok(request, JSON.stringify(pending));
      assert.equal(request.requestedBy.role, 'content');
      // The writer may not decide.
      assert.equal((await writer.post(`/api/approvals/${request.id}/approve`, {})).statusCode, 403);
      const decided = await owner.post(`/api/approvals/${request.id}/approve`, {});
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(await status(post.slug), 200);
      const live = (await owner.get(`/api/posts/${post.id}`)).json();
      assert.equal(live.published.title, 'How to wedge clay without a table');
      assert.equal(live.draft.title, 'How to wedge clay without a table (edited later)');
      assert.deepEqual(await eventsOf(post.id), ['post.created:content', 'post.submitted:content', 'post.updated:content', 'post.published:owner']);
    });

    it('a refusal makes the post a draft again; a withdrawal cancels the request', async () => {
      const post = (await writer.post('/api/posts', { content: content('Ten glazes I would never use again') })).json();
      await writer.post(`/api/posts/${post.id}/publish`, {});
      const request = (await owner.get(`/api/posts/${post.id}`)).json().approvalId;
      const refused = await owner.post(`/api/approvals/${request}/refuse`, { note: 'Too negative' });
      assert.equal(refused.statusCode, 200, refused.body);
      const refusedPost = (await writer.get(`/api/posts/${post.id}`)).json();
      assert.equal(refusedPost.status, 'draft');
      // The writer reads why in the editor, and the event carries the owner's note for subscribers.
      assert.equal(refusedPost.refusalNote, 'Too negative');
      assert.ok(refusedPost.refusedAt);
      const [refusedEvent] = (await t.app.database.execute<{ data: { note: string | null; approvalId: string } }>(`select data from events where subject_id = $1 and type = 'post.refused'`, [post.id])).rows;
      assert.equal(refusedEvent?.data.note, 'Too negative');
      assert.equal(refusedEvent?.data.approvalId, request);
      assert.equal(await status(post.slug), 404);
      await writer.post(`/api/posts/${post.id}/submit`, {});
      const again = (await owner.get(`/api/posts/${post.id}`)).json();
      assert.equal(again.status, 'submitted');
      assert.equal(again.refusalNote, null, 'a new submission clears the last refusal');
      const back = await writer.post(`/api/posts/${post.id}/withdraw`, {});
      assert.equal(back.json().status, 'draft');
      const req = (await owner.get(`/api/approvals/${again.approvalId}`)).json();
      assert.equal((req.approval ?? req).status, 'cancelled');
      assert.deepEqual((await eventsOf(post.id)).filter((e) => e.startsWith('post.')), ['post.created:content', 'post.submitted:content', 'post.refused:owner', 'post.submitted:content']);
    });

    it('"publish freely within a category": only posts whose every tag is allowed skip approval', async () => {
      assert.equal((await writer.patch('/api/blog/settings', { policies: { admin: { mode: 'free' }, content: { mode: 'tags', tags: ['news'] }, marketing: { mode: 'approval' } } })).statusCode, 403, 'the writer cannot widen their own authority');
      assert.equal((await admin.patch('/api/blog/settings', { title: 'Admin blog' })).statusCode, 403, 'the policy is the owner’s');
      const set = await owner.patch('/api/blog/settings', { policies: { admin: { mode: 'free' }, content: { mode: 'tags', tags: ['news'] }, marketing: { mode: 'free' } } });
      assert.equal(set.statusCode, 200, set.body);
      const news = (await writer.post('/api/posts', { content: content('Studio open day on Saturday', ['news']) })).json();
      assert.equal((await writer.post(`/api/posts/${news.id}/publish`, {})).json().outcome, 'published');
      const mixed = (await writer.post('/api/posts', { content: content('News and a sale on glazes', ['news', 'sale']) })).json();
      assert.equal((await writer.post(`/api/posts/${mixed.id}/publish`, {})).json().outcome, 'submitted');
      const untagged = (await writer.post('/api/posts', { content: content('An untagged thought') })).json();
      assert.equal((await writer.post(`/api/posts/${untagged.id}/publish`, {})).json().outcome, 'submitted');
      const m = (await marketer.post('/api/posts', { content: content('Spring sale on every course', ['sale']) })).json();
      assert.equal((await marketer.post(`/api/posts/${m.id}/publish`, {})).json().outcome, 'published', 'marketing publishes freely now');
      // Inside their category the writer may also take the post down; outside it they may not.
      assert.equal((await writer.post(`/api/posts/${news.id}/unpublish`, {})).statusCode, 200);
      assert.equal((await writer.post(`/api/posts/${m.id}/unpublish`, {})).statusCode, 403);
      assert.equal((await writer.delete(`/api/posts/${m.id}`)).statusCode, 403);
      assert.equal((await writer.patch(`/api/posts/${m.id}`, { slug: 'moved-by-writer' })).statusCode, 403);
    });

    it('roles without the blog are refused, and redirects are for managers', async () => {
      assert.equal((await support.get('/api/posts')).statusCode, 403);
      assert.equal((await support.post('/api/posts', { content: content('Support writes?') })).statusCode, 403);
      assert.equal((await writer.post('/api/redirects', { from: '/x', to: '/blog' })).statusCode, 403);
      assert.equal((await admin.post('/api/redirects', { from: '/x', to: '/blog' })).statusCode, 201);
      const anonymous = await t.server.inject({ method: 'GET', url: '/api/posts' });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
