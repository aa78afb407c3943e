// The task editor's subject picker: GET /api/tasks/subjects searches courses, blog posts and
// products by title through their modules' services, for the roles that may edit tasks only;
// the picked {type, id, label} is what the task keeps.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';

for (const backend of backends()) {
  describe(`task subject picker [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let admin: Client;
    let content: Client;
    let marketing: Client;
    const ids: Record<string, string> = {};

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      admin = await addMember(t, owner, 'admin');
      content = await addMember(t, owner, 'content');
      marketing = await addMember(t, owner, 'marketing');
      const course = await owner.post('/api/learning/courses', { title: 'Glazing 101' });
      assert.equal(course.statusCode, 201, course.body);
      ids.course = course.json().id;
      const other = await owner.post('/api/learning/courses', { title: 'Wheel throwing' });
      assert.equal(other.statusCode, 201, other.body);
      const post = await owner.post('/api/posts', { content: { title: 'Why glazes crawl', excerpt: 'What makes a glaze crawl away from the pot, and how to stop it.', html: '<p>Dust and oil.</p>', tags: [] } });
      assert.equal(post.statusCode, 201, post.body);
      ids.post = post.json().id;
      const product = await owner.post('/api/products', { slug: 'glaze-kit', kind: 'download', name: 'Glaze recipe kit' });
      assert.equal(product.statusCode, 201, product.body);
      ids.product = product.json().id;
    });
    after(() => t.close());

    it('finds courses, posts and products by title, titles starting with the words first', async () => {
      const res = await owner.get('/api/tasks/subjects?q=GLAZ');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().subjects, [
        { type: 'product', id: ids.product, label: 'Glaze recipe kit' },
        { type: 'course', id: ids.course, label: 'Glazing 101' },
        { type: 'post', id: ids.post, label: 'Why glazes crawl' },
      ]);
      assert.deepEqual((await owner.get('/api/tasks/subjects?q=glaz&type=course')).json().subjects.map((s: { id: string }) => s.id), [ids.course]);
      assert.deepEqual((await owner.get('/api/tasks/subjects?q=porcelain')).json().subjects, []);
      assert.equal((await owner.get('/api/tasks/subjects?q=a&limit=1')).json().subjects.length, 1);
      assert.equal((await owner.get('/api/tasks/subjects?type=page')).statusCode, 400);
      assert.equal((await owner.get(`/api/tasks/subjects?q=${'x'.repeat(201)}`)).statusCode, 400);
    });

    it('only the roles that may edit tasks may search', async () => {
      assert.equal((await admin.get('/api/tasks/subjects?q=glaz')).statusCode, 200);
      for (const c of [content, marketing]) assert.equal((await c.get('/api/tasks/subjects?q=glaz')).statusCode, 403);
      assert.equal((await t.server.inject({ method: 'GET', url: '/api/tasks/subjects?q=glaz' })).statusCode, 401);
    });

    it('missingSubjects names what the search would not find now: gone, archived, or of another kind', async () => {
      const spare = await owner.post('/api/learning/courses', { title: 'Raku firing' });
      assert.equal(spare.statusCode, 201, spare.body);
      const refs = [
        { type: 'course', id: ids.course!, label: 'Glazing 101' },
        { type: 'course', id: spare.json().id, label: 'Raku firing' },
        { type: 'post', id: ids.post!, label: 'Why glazes crawl' },
        { type: 'product', id: ids.product!, label: 'Glaze recipe kit' },
        { type: 'product', id: '00000000-0000-4000-8000-00000000beef', label: 'Never was' },
        { type: 'page', id: 'home', label: 'Home' },
        { type: 'contact', id: ids.course!, label: 'Not a kind the picker offers' },
      ];
      assert.deepEqual(await t.app.tasks.missingSubjects(refs), refs.slice(4));
      assert.equal((await owner.patch(`/api/learning/courses/${spare.json().id}`, { status: 'archived' })).statusCode, 200);
      assert.deepEqual(await t.app.tasks.missingSubjects(refs), [refs[1], ...refs.slice(4)]);
      assert.deepEqual(await t.app.tasks.missingSubjects([]), []);
    });

    it('the picked subject is kept as {type, id, label} on the task', async () => {
      const [picked] = (await owner.get('/api/tasks/subjects?q=glazing')).json().subjects;
      const created = await owner.post('/api/tasks', { title: 'Review the glazing course', assignee: { role: 'content' }, recurrence: { kind: 'monthly', day: 1 }, startsOn: '2026-01-01', subject: picked });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(created.json().subject, { type: 'course', id: ids.course, label: 'Glazing 101' });
    });
  });
}
