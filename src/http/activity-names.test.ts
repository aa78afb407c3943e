import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../test/support/harness.js';

for (const backend of backends()) {
  describe(`activity: names instead of ids [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let courseId: string;
    let contactId: string;

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      courseId = (await owner.post('/api/learning/courses', { title: 'Pottery Basics' })).json().id;
      const res = await owner.post('/api/contacts', { email: 'pat@example.com', name: 'Pat Potter' });
      assert.equal(res.statusCode, 201, res.body);
      contactId = res.json().id;
    });
    after(() => t.close());

    it('names the course and the person an event is about', async () => {
      const res = (await owner.get('/api/activity')).json();
      assert.equal(res.names[`course:${courseId}`], 'Pottery Basics');
      assert.ok(res.events.some((e: { subjectType: string; subjectId: string }) => e.subjectType === 'course' && e.subjectId === courseId));
      const aboutPat = res.events.filter((e: { subjectType: string; subjectId: string }) => e.subjectType === 'contact' && e.subjectId === contactId);
      assert.ok(aboutPat.length > 0, 'an event is about the new contact');
      assert.equal(res.names[`contact:${contactId}`], 'Pat Potter');
    });

    it('gives a name only to a role that may read what it names', async () => {
      const content = await addMember(t, owner, 'content');
      const res = (await content.get('/api/activity')).json();
      assert.equal(res.names[`course:${courseId}`], 'Pottery Basics');
      assert.equal(res.names[`contact:${contactId}`], undefined, 'content may not read contacts');
    });
  });
}
