// Broadcast templates have no file system: every liquidjs tag that loads a file is refused,
// through the real preview API, as the support role (the least trusted role that may preview).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Liquid } from 'liquidjs';
import { addMember, backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { FILE_TAGS } from './render.js';
import { POSTAL } from './test-helpers.js';

// Text only the project's own files hold: seeing any of it in an answer means a file was read.
const FILE_MARKERS = [/"devDependencies"/, /liquidjs/, /PGlite/i, /process\.env/, /import /];

// Each tag that could reach a file, in the ways a template can spell it.
const ATTEMPTS = [
  "{% include 'package.json' %}",
  '{% include "package.json" %}',
  '{%- include package.json -%}',
  "{% include 'src/config.ts' %}",
  "{% include '/etc/hostname' %}",
  "{% render 'package.json' %}",
  "{% render 'package.json' with contact %}",
  "{% layout 'package.json' %}",
  "{% layout 'package.json' %}{% block content %}x{% endblock %}",
  "{% liquid\n include 'package.json'\n %}",
  "{% liquid\n render 'package.json'\n %}",
  "{% if true %}{% include 'package.json' %}{% endif %}",
];

describe('broadcast templates read no files', () => {
  it('covers every tag of the installed liquidjs that loads another template', () => {
    // If an upgrade adds a tag that reads files, this names it (the list in render.ts must follow).
    const engine = new Liquid();
    const loaders = Object.entries(engine.tags)
      .filter(([, Impl]) => /_parsePartialFile|_parseLayoutFile|_parseFile|parseFilePath|renderFile/.test(String(Impl)))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(loaders, [...FILE_TAGS].sort());
    assert.ok(fs.existsSync('package.json'), 'the working directory holds the file the attempts name');
  });

  for (const backend of backends()) {
    describe(`through the preview API as support [${backend}]`, () => {
      let t: TestApp;
      let owner: Client;
      let support: Client;
      let draftId: string;
      before(async () => {
        t = await createTestApp(backend);
        owner = await setupOwner(t);
        assert.equal((await owner.patch('/api/mail/settings', { postalAddress: POSTAL })).statusCode, 200);
        support = await addMember(t, owner, 'support');
        draftId = (await owner.post('/api/broadcasts', { name: 'Tips', subject: 'Hello', body: 'Hi {{ contact.first_name }}' })).json().id;
      });
      after(() => t.close());

      const assertRefused = (res: { statusCode: number; body: string }, what: string) => {
        assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        assert.match(JSON.parse(res.body).error.message, /cannot read files/, what);
        for (const marker of FILE_MARKERS) assert.doesNotMatch(res.body, marker, `${what}: no file content comes back`);
      };

      it('a plain preview still works for support', async () => {
        const ok = await support.post('/api/broadcasts/preview', { subject: 'Hi', body: 'Hello {{ contact.first_name }}' });
        assert.equal(ok.statusCode, 200, ok.body);
        assert.match(ok.json().html, /Hello Sam/);
      });

      for (const attempt of ATTEMPTS) {
        it(`refuses ${JSON.stringify(attempt)} in the body, the subject and a saved draft's preview`, async () => {
          assertRefused(await support.post('/api/broadcasts/preview', { subject: 'Hi', body: `Look: ${attempt}` }), 'body');
          assertRefused(await support.post('/api/broadcasts/preview', { subject: `Hi ${attempt}`, body: 'Hello' }), 'subject');
          assertRefused(
            await support.post('/api/broadcasts/preview', { subject: 'Hi', format: 'blocks', body: '', blocks: [{ type: 'text', markdown: attempt }] }),
            'blocks',
          );
          assertRefused(await support.post(`/api/broadcasts/${draftId}/preview`, { body: attempt }), 'saved draft');
        });
      }

      it('a draft cannot be saved with such a tag either', async () => {
        const res = await owner.patch(`/api/broadcasts/${draftId}`, { body: "{% include 'package.json' %}" });
        if (res.statusCode === 200) {
          // Saving does not compile; anything that renders it must still refuse.
          assertRefused(await support.post(`/api/broadcasts/${draftId}/preview`, {}), 'saved draft with the tag');
        } else {
          assertRefused(res, 'saving');
        }
      });
    });
  }
});
