import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { buildCourse, expectOk } from './test-support.js';

for (const backend of backends()) {
  describe(`course builder: lists and addresses [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
    });
    after(() => t.close());

    it('counts the lessons of each course in the course list', async () => {
      await buildCourse(owner, { title: 'Three lessons', lessons: [{ title: 'A' }, { title: 'B' }, { title: 'C' }] });
      await buildCourse(owner, { title: 'One lesson', lessons: [{ title: 'Only' }] });
      expectOk(await owner.post('/api/learning/courses', { title: 'Empty course' }), 201);
      const { courses } = expectOk(await owner.get('/api/learning/courses'));
      const counts = Object.fromEntries(courses.map((c: { title: string; lessonCount: number }) => [c.title, c.lessonCount]));
      assert.deepEqual(counts, { 'Empty course': 0, 'One lesson': 1, 'Three lessons': 3 });
    });

    it('refuses a taken address and suggests the first free one', async () => {
      expectOk(await owner.post('/api/learning/courses', { title: 'Copywriting' }), 201);
      const second = await owner.post('/api/learning/courses', { title: 'Copywriting' });
      assert.equal(second.statusCode, 409);
      const { error } = second.json();
      assert.equal(error.details.field, 'slug');
      assert.equal(error.details.suggestion, 'copywriting-2');
      assert.match(error.message, /already uses the address \/learn\/copywriting.*\/learn\/copywriting-2/);

      const taken = expectOk(await owner.post('/api/learning/courses', { title: 'Copywriting', slug: error.details.suggestion }), 201);
      assert.equal(taken.slug, 'copywriting-2');
      const third = (await owner.post('/api/learning/courses', { title: 'Copywriting' })).json();
      assert.equal(third.error.details.suggestion, 'copywriting-3');
    });

    it('suggests a free address when an edit takes another course’s address, and keeps the course unchanged', async () => {
      const c = expectOk(await owner.post('/api/learning/courses', { title: 'Sales pages' }), 201);
      const res = await owner.request('PATCH', `/api/learning/courses/${c.id}`, { slug: 'copywriting' });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.details.suggestion, 'copywriting-3');
      const after = expectOk(await owner.get(`/api/learning/courses/${c.id}`));
      assert.equal(after.slug, 'sales-pages');
    });

    it('edits title, summary, address and certificate after creation', async () => {
      const c = expectOk(await owner.post('/api/learning/courses', { title: 'Draft title' }), 201);
      const edited = expectOk(await owner.request('PATCH', `/api/learning/courses/${c.id}`, { title: 'Final title', summary: 'What you learn', slug: 'final-title', certificateEnabled: false }));
      assert.equal(edited.title, 'Final title');
      assert.equal(edited.summary, 'What you learn');
      assert.equal(edited.slug, 'final-title');
      assert.equal(edited.certificateEnabled, false);
    });
  });
}
