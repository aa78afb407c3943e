import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { backends, Client, createTestApp, setupOwner, soakOrCrashTest, waitFor, type Backend, type TestApp } from '../../../test/support/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => fs.readFileSync(path.join(here, 'fixtures', name));

async function upload(t: TestApp, owner: Client, name: string, body: Buffer | string) {
  const res = await t.server.inject({
    method: 'POST',
    url: `/api/imports?filename=${encodeURIComponent(name)}`,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'text/csv' },
    payload: body,
  });
  return res;
}

/** Runs an import to its end the way chained jobs would (each run hands over to the next). */
async function runToEnd(t: TestApp, id: string, opts: { chunkRows?: number } = {}) {
  for (let i = 0; i < 1000; i++) {
    const r = await t.app.audience.imports.run(id, { chunkRows: opts.chunkRows, budgetMs: 60_000 });
    if (r !== 'continued') return r;
  }
  throw new Error('import did not finish');
}

const consentStatement = 'They subscribed on my previous newsletter tool';

/** A generated file with known outcomes: duplicates every 50th row, invalid addresses every 97th, quoted newlines. */
function generate(n: number) {
  const lines = ['email,name,plan'];
  const seen = new Set<string>();
  const expected = { imported: 0, updated: 0, skipped: 0, errored: 0 };
  for (let i = 1; i <= n; i++) {
    const name = i % 13 === 0 ? `"Person ${i}\nsecond line"` : `Person ${i}`;
    if (i % 97 === 0) {
      lines.push(`broken-${i}.example.com,${name},free`);
      expected.errored++;
      continue;
    }
    const email = i % 50 === 0 ? `user${i - 7}@example.com` : `user${i}@example.com`;
    lines.push(`${i % 7 === 0 ? email.toUpperCase() : email},${name},${i % 3 === 0 ? 'pro' : 'free'}`);
    if (seen.has(email)) expected.skipped++;
    else {
      seen.add(email);
      expected.imported++;
    }
  }
  return { csv: lines.join('\r\n') + '\r\n', expected, rows: n };
}

for (const backend of backends()) {
  describe(`CSV import [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let weekly: string;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `onehour-import-${backend}-`));
    before(async () => {
      t = await createTestApp(backend, { config: { DATA_DIR: dataDir } });
      owner = await setupOwner(t);
      weekly = (await owner.post('/api/lists', { name: 'Weekly letter' })).json().id;
    });
    after(async () => {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('a messy CSV (BOM, semicolons, quoted newlines, duplicates, bad rows) reconciles to the rows in the file', async () => {
      await owner.post('/api/contacts', { email: 'existing@example.com', name: 'Old name' });
      const up = await upload(t, owner, 'messy.csv', fixture('messy.csv'));
      assert.equal(up.statusCode, 201, up.body);
      const imp = up.json();
      assert.equal(imp.delimiter, ';');
      assert.equal(imp.encoding, 'utf8');
      assert.deepEqual(imp.headers, ['E-mail', 'First name', 'Last name', 'City', 'Tags'], 'the BOM is not part of the first header');
      assert.deepEqual(imp.mapping, ['email', 'first_name', 'last_name', 'field:city', 'tags']);
      assert.deepEqual(imp.sample[1], ['BOB@example.com', 'Bob', 'Multi\r\nline', 'Köln', '']);
      assert.equal(imp.status, 'uploaded');

      const noConsent = await owner.post(`/api/imports/${imp.id}/start`, { listIds: [weekly], consentStatement: ' ' });
      assert.equal(noConsent.statusCode, 400);
      const noEmail = await owner.post(`/api/imports/${imp.id}/start`, { mapping: ['ignore', 'first_name', 'last_name', 'ignore', 'tags'], consentStatement });
      assert.equal(noEmail.statusCode, 400);
      assert.match(noEmail.json().error.message, /email address/);
      const started = await owner.post(`/api/imports/${imp.id}/start`, { listIds: [weekly], consentStatement });
      assert.equal(started.statusCode, 200, started.body);
      assert.equal(started.json().status, 'queued');

      // Small chunks so chunk boundaries fall between broken rows and duplicates.
      assert.equal(await runToEnd(t, imp.id, { chunkRows: 3 }), 'completed');
      const done = (await owner.get(`/api/imports/${imp.id}`)).json();
      const rowsInFile = 10; // 13 lines after the header: one record spans two lines, one line is blank
      assert.deepEqual(
        { status: done.status, rows: done.rowsDone, imported: done.imported, updated: done.updated, skipped: done.skipped, errored: done.errored, progress: done.progress },
        { status: 'completed', rows: rowsInFile, imported: 4, updated: 1, skipped: 2, errored: 3, progress: 1 },
      );
      assert.equal(done.imported + done.updated + done.skipped + done.errored, rowsInFile);

      const report = await owner.get(`/api/imports/${imp.id}/report.csv`);
      assert.equal(report.statusCode, 200);
      assert.match(String(report.headers['content-disposition']), /import-report-messy\.csv/);
      const issues = parse(report.body, { columns: true }) as Record<string, string>[];
      assert.deepEqual(
        issues.map((r) => [r.row, r.line, r.outcome, r.reason]),
        [
          // line: the physical line where the record starts (row 2 spans lines 3–4; line 8 is blank)
          ['3', '5', 'errored', '"not-an-email" is not a valid email address: the address is missing the @'],
          ['4', '6', 'errored', 'no email address'],
          ['5', '7', 'skipped', 'same email as row 2'],
          ['6', '9', 'skipped', 'empty row'],
          ['8', '11', 'errored', 'the row has 7 values but the header has 5 columns (a delimiter inside a value that is not quoted?)'],
        ],
      );
      assert.equal(issues.length, done.skipped + done.errored);

      const anna = (await owner.get(`/api/contacts/${(await t.app.audience.findByEmail(t.app.db, 'anna@example.com'))!.id}`)).json();
      assert.equal(anna.contact.name, 'Anna Ärger');
      assert.deepEqual(anna.contact.fields, { city: 'Berlin', first_name: 'Anna', last_name: 'Ärger' });
      assert.equal(anna.contact.source, `import:${imp.id}`);
      assert.deepEqual(anna.tags.map((x: { name: string }) => x.name), ['early', 'vip']);
      assert.deepEqual(anna.lists.map((l: { id: string }) => l.id), [weekly]);
      const evidence = anna.consent.find((c: { kind: string }) => c.kind === 'import');
      assert.equal(evidence.statement, consentStatement, "the importer's declaration is the contact's consent evidence");

      const bob = await t.app.audience.findByEmail(t.app.db, 'bob@example.com');
      assert.equal(bob!.name, 'Bob Multi\r\nline');
      const bobTags = (await owner.get(`/api/contacts/${bob!.id}`)).json().tags.map((x: { name: string }) => x.name);
      assert.deepEqual(bobTags, ['late'], 'a duplicate row still adds its tags');
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'eve@example.com'))!.fields.last_name, 'O"Neil');
      const existing = await t.app.audience.findByEmail(t.app.db, 'existing@example.com');
      assert.equal(existing!.name, 'Updated Person');
      assert.equal(existing!.source, 'admin', 'an updated contact keeps where it came from');

      const [completed] = (await owner.get('/api/activity?type=import.completed')).json().events;
      assert.equal(completed.actorKind, 'owner');
      assert.deepEqual(completed.data, { rows: 10, imported: 4, updated: 1, skipped: 2, errored: 3 });
      assert.equal(fs.existsSync(path.join(dataDir, 'imports', `${imp.id}.csv`)), false, 'the uploaded file is removed once imported');
    });

    it('refuses look-alike and malformed addresses and rows of the wrong width, reporting the line where each record starts', async () => {
      const csv = [
        'email,name,city', // line 1
        'good1@example.com,"Good\r\nOne",Berlin', // lines 2-3
        'dot@example.com.,Trailing Dot,Paris', // 4
        'ada@p\u0430ypal.com,Cyrillic A,Oslo', // 5: a Cyrillic а in an ASCII-looking domain
        '\u0430da@example.com,Cyrillic local,Oslo', // 6
        'short@example.com,Short', // 7: a column missing
        'wide@example.com,Wide,Rome,', // 8: an extra empty value
        '"multi@example.com","Multi', // 9-11: a quoted value over three lines …
        'line',
        'name",Lyon,,', // … and two extra empty values
        'ada@m\u00fcnchen.de,IDN Latin,M\u00fcnchen', // 12: an internationalised domain in one script
        'ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444,IDN Cyrillic,Moscow', // 13
        'full@\uff45xample.com,Full width,Tokyo', // 14
        'good2@example.com,Good Two,Rome', // 15
      ].join('\r\n') + '\r\n';
      const up = (await upload(t, owner, 'edge.csv', csv)).json();
      assert.equal((await owner.post(`/api/imports/${up.id}/start`, { consentStatement })).statusCode, 200);
      // One row per chunk and a hand-over after each: every run starts its parser mid-file.
      for (let i = 0; i < 100; i++) if ((await t.app.audience.imports.run(up.id, { chunkRows: 1, budgetMs: 0 })) !== 'continued') break;
      const done = (await owner.get(`/api/imports/${up.id}`)).json();
      assert.equal(done.status, 'completed');
      assert.deepEqual({ imported: done.imported, errored: done.errored, rows: done.rowsDone }, { imported: 4, errored: 7, rows: 11 });
      const issues = parse((await owner.get(`/api/imports/${up.id}/report.csv`)).body, { columns: true }) as Record<string, string>[];
      assert.deepEqual(
        issues.map((r) => [r.line, r.email, (r.reason ?? "").replace(/^"[^"]*" is not a valid email address: /, '')]),
        [
          ['4', 'dot@example.com.', 'the domain ends with a dot'],
          ['5', 'ada@p\u0430ypal.com', 'the domain mixes alphabets (Latin and Cyrillic): look-alike letters'],
          ['6', '\u0430da@example.com', 'the part before the @ has non-ASCII characters (look-alike letters, or an address most mail servers cannot take)'],
          ['7', '', 'the row has 2 values but the header has 3 columns (a missing value or delimiter?)'],
          ['8', '', 'the row has 4 values but the header has 3 columns (a delimiter inside a value that is not quoted?)'],
          ['9', '', 'the row has 5 values but the header has 3 columns (a delimiter inside a value that is not quoted?)'],
          ['14', 'full@\uff45xample.com', 'the domain is not written the way it is registered (look-alike or full-width letters)'],
        ],
      );
      for (const bad of ['dot@example.com.', 'ada@p\u0430ypal.com', 'short@example.com', 'wide@example.com', 'multi@example.com']) {
        assert.equal(await t.app.audience.findByEmail(t.app.db, bad), null, `${bad} is not a contact`);
      }
      for (const good of ['good1@example.com', 'good2@example.com', 'ada@m\u00fcnchen.de', 'ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444']) {
        assert.ok(await t.app.audience.findByEmail(t.app.db, good), `${good} is a contact`);
      }

      // The same rule at every other edge: the API, the team's invitations, the suppression list.
      for (const email of ['api@example.com.', 'api@p\u0430ypal.com']) {
        const res = await owner.post('/api/contacts', { email, name: 'Api' });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal((await owner.post('/api/team/invitations', { email, role: 'support' })).statusCode, 400);
        assert.equal((await owner.post('/api/mail/suppressions', { email })).statusCode, 400);
      }
      assert.equal((await owner.post('/api/contacts', { email: 'api@m\u00fcnchen.de', name: 'Api' })).statusCode, 201);
    });

    it('an export re-imported into a fresh installation exports again unchanged (only the source names the import)', async () => {
      const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), `onehour-roundtrip-${backend}-`));
      const source = await createTestApp(backend, { config: { DATA_DIR: otherDir } });
      try {
        const so = await setupOwner(source);
        const weeklyList = (await so.post('/api/lists', { name: 'Weekly; letter, EU' })).json().id;
        const newsList = (await so.post('/api/lists', { name: 'Product news' })).json().id;
        // Values a spreadsheet would run, values that only look like the guard, delimiters,
        // quotes, line breaks, spaces at the ends, unicode, and custom fields named like columns.
        const tricky = ['=SUM(A1:A2)', '+49 30 1234', '-minus', '@handle', '\tTabbed', "'quoted'", "''double", "'=already guarded", 'semi;colon', 'comma, "quoted"', 'two\nlines', ' padded ', 'Zoë 東京 🚀', ''];
        const people = tricky.map((v, i) => ({
          email: i === 2 ? '-minus@example.com' : `person${i}@example.com`,
          name: v,
          fields: { note: tricky[(i + 3) % tricky.length]!, created_at: `custom ${i}`, source: tricky[(i + 5) % tricky.length]!, first_name: `First${i}` },
        }));
        for (const [i, p] of people.entries()) {
          const fields = Object.fromEntries(Object.entries(p.fields).filter(([, v]) => v !== ''));
          const res = await so.post('/api/contacts', { email: p.email, name: p.name, fields, listIds: i % 2 ? [weeklyList] : [weeklyList, newsList] });
          assert.equal(res.statusCode, 201, res.body);
          if (i % 3 === 0) await so.post(`/api/contacts/${res.json().id}/tags`, { names: ['Customer', 'Webinar, "2025"'] });
          await source.app.database.execute('update contacts set created_at = $2, confirmed_at = $3 where id = $1', [res.json().id, new Date(Date.UTC(2024, i % 12, 1 + i, 9, 30, 15, 123)), i % 4 ? null : new Date(Date.UTC(2024, 6, 2, 10, 0, 0, 0))]);
          if (i === 5) await so.delete(`/api/contacts/${res.json().id}/lists/${newsList}`);
        }
        await source.app.database.transaction((tx) => source.app.audience.markUndeliverableInTx(tx, 'person7@example.com', 'bounced'));

        const first = await so.get('/api/contacts/export.csv');
        assert.equal(first.statusCode, 200);
        assert.match(first.body.split('\n')[0]!, /^email,name,status,source,created_at,confirmed_at,tags,lists,field:created_at,first_name,note,field:source$/);
        assert.match(first.body, /"""Weekly; letter, EU"""/, 'a list name with a comma is quoted in its cell, the cell quoted in the file');

        const up = (await upload(t, owner, 'contacts.csv', first.body)).json();
        assert.equal(up.format, 'onehour');
        assert.equal((await owner.post(`/api/imports/${up.id}/start`, { consentStatement, existing: 'update' })).statusCode, 200);
        assert.equal(await runToEnd(t, up.id), 'completed');
        assert.equal((await owner.get(`/api/imports/${up.id}`)).json().errored, 0);

        const again = await owner.get('/api/contacts/export.csv');
        const rowsOf = (csv: string) => (parse(csv, { columns: true, relax_column_count: false }) as Record<string, string>[]).filter((r) => /@example\.com$/.test(r.email!.replace(/^'/, '')) && tricky.some((_, i) => r.email === (i === 2 ? "'-minus@example.com" : `person${i}@example.com`)));
        const a = rowsOf(first.body);
        const b = rowsOf(again.body);
        assert.equal(b.length, people.length);
        for (const r of b) assert.equal(r.source, `import:${up.id}`);
        // This installation has other contacts (and their field columns): compare the columns of the first export.
        const columns = Object.keys(a[0]!).filter((k) => k !== 'source');
        const pick = (rows: Record<string, string>[]) => rows.map((r) => columns.map((k) => r[k]));
        assert.deepEqual(pick(b), pick(a));
        assert.ok(b.every((r) => Object.keys(r).every((k) => columns.includes(k) || k === 'source' || r[k] === '')));
        const zoe = await t.app.audience.findByEmail(t.app.db, 'person12@example.com');
        assert.equal(zoe!.name, 'Zoë 東京 🚀');
        assert.equal(zoe!.fields.created_at, 'custom 12', 'the custom field is kept apart from the built-in column');
        assert.equal(zoe!.createdAt.toISOString(), '2024-01-13T09:30:15.123Z');
        const guarded = await t.app.audience.findByEmail(t.app.db, 'person0@example.com');
        assert.equal(guarded!.name, '=SUM(A1:A2)', 'the formula guard comes off on import');
        assert.equal((await t.app.audience.findByEmail(t.app.db, 'person6@example.com'))!.name, "''double");
      } finally {
        await source.close();
        fs.rmSync(otherDir, { recursive: true, force: true });
      }
    });

    it('maps headers written in French, German and Spanish, and personalises with the imported first name', async () => {
      const files: [string, string, string[]][] = [
        ['fr.csv', 'Adresse e-mail;Prénom;Nom;Société;Ville\r\nmarie@exemple.fr;Marie;Curie;Institut du Radium;Paris\r\n', ['email', 'first_name', 'last_name', 'field:company', 'field:city']],
        ['de.csv', 'E-Mail-Adresse;Vorname;Nachname;Firma;Straße\r\nemmy@beispiel.de;Emmy;Noether;Universität;Hauptstraße 1\r\n', ['email', 'first_name', 'last_name', 'field:company', 'field:strasse']],
        ['es.csv', 'Correo electrónico,Nombre,Apellidos,Empresa,Teléfono\r\nada@ejemplo.es,Ada,Lovelace,Analítica,+34 600\r\n', ['email', 'first_name', 'last_name', 'field:company', 'field:phone']],
      ];
      for (const [name, csv, mapping] of files) {
        const up = (await upload(t, owner, name, csv)).json();
        assert.deepEqual(up.mapping, mapping, name);
        assert.equal((await owner.post(`/api/imports/${up.id}/start`, { consentStatement })).statusCode, 200);
        assert.equal(await runToEnd(t, up.id), 'completed');
      }
      const marie = (await t.app.audience.findByEmail(t.app.db, 'marie@exemple.fr'))!;
      assert.deepEqual(marie.fields, { company: 'Institut du Radium', city: 'Paris', first_name: 'Marie', last_name: 'Curie' });
      // A name whose first word is not the first name: the imported first name wins.
      await owner.patch(`/api/contacts/${marie.id}`, { name: 'Dr. Marie Curie' });
      await owner.patch('/api/mail/settings', { postalAddress: '1 Rue de la Paix, 75002 Paris' });
      const preview = await owner.post('/api/broadcasts/preview', { subject: 'Bonjour {{ contact.first_name }}', body: 'Hello {{ contact.first_name }} of {{ contact.company }}', contactId: marie.id });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(preview.json().subject, 'Bonjour Marie');
      assert.match(preview.json().text, /Hello Marie of Institut du Radium/);
    });

    it('the import report neutralises formulas planted in the file, as the contacts export does', async () => {
      const csv = 'email,name\r\n"=HYPERLINK(""http://evil.example"",""click"")",Eve\r\n+1-555@,Plus\r\n';
      const up = (await upload(t, owner, 'planted.csv', csv)).json();
      assert.equal((await owner.post(`/api/imports/${up.id}/start`, { consentStatement })).statusCode, 200);
      assert.equal(await runToEnd(t, up.id), 'completed');
      const report = parse((await owner.get(`/api/imports/${up.id}/report.csv`)).body, { columns: true }) as Record<string, string>[];
      assert.deepEqual(report.map((r) => r.email), [`'=HYPERLINK("http://evil.example","click")`, `'+1-555@`]);
      for (const r of report) assert.doesNotMatch(r.reason!, /^[=+\-@\t\r]/);
    });

    it('recognises Mailchimp, Kit, Gumroad and Teachable exports and maps their columns', async () => {
      const importFile = async (name: string) => {
        const up = (await upload(t, owner, name, fixture(name))).json();
        const start = await owner.post(`/api/imports/${up.id}/start`, { consentStatement, existing: 'update' });
        assert.equal(start.statusCode, 200, start.body);
        assert.equal(await runToEnd(t, up.id), 'completed');
        return { up, done: (await owner.get(`/api/imports/${up.id}`)).json() };
      };
      const contact = async (email: string) => {
        const c = (await t.app.audience.findByEmail(t.app.db, email))!;
        return { ...c, tags: (await owner.get(`/api/contacts/${c.id}`)).json().tags.map((x: { name: string }) => x.name) };
      };

      const mc = await importFile('mailchimp-subscribed.csv');
      assert.equal(mc.up.format, 'mailchimp');
      const col = (up: { headers: string[]; mapping: string[] }, h: string) => up.mapping[up.headers.indexOf(h)];
      assert.equal(col(mc.up, 'Email Address'), 'email');
      assert.equal(col(mc.up, 'MEMBER_RATING'), 'ignore');
      assert.equal(col(mc.up, 'OPTIN_IP'), 'field:optin_ip');
      const lena = await contact('lena.fischer@example.com');
      assert.equal(lena.name, 'Lena Fischer');
      assert.equal(lena.status, 'active');
      assert.deepEqual(lena.tags, ['Customers', 'Webinar 2024']);
      assert.equal(lena.fields.optin_ip, '203.0.113.5', 'the previous tool’s opt-in evidence is kept');
      assert.equal(lena.fields.phone, '+49 30 1234567');
      assert.equal(lena.fields.country, 'DE');
      assert.equal((await contact('marco.rossi@example.com')).fields.notes, 'met at the Milan meetup');
      const unsub = await importFile('mailchimp-unsubscribed.csv');
      assert.equal(col(unsub.up, 'UNSUB_TIME'), 'unsubscribed_at');
      assert.equal((await contact('old.reader@example.com')).status, 'unsubscribed');
      const cleaned = await importFile('mailchimp-cleaned.csv');
      assert.equal(col(cleaned.up, 'CLEAN_TIME'), 'bounced_at');
      assert.equal((await contact('gone@example.invalid')).status, 'bounced');

      const kit = await importFile('kit.csv');
      assert.equal(kit.up.format, 'kit');
      assert.equal(col(kit.up, 'state'), 'status');
      const sam = await contact('sam.lee@example.com');
      assert.deepEqual([sam.name, sam.status, sam.fields.company, sam.tags], ['Sam', 'active', 'Lee & Co', ['Course buyers', 'Newsletter']]);
      assert.equal((await contact('jo.park@example.com')).status, 'unsubscribed');
      assert.equal((await contact('kim.cho@example.com')).status, 'bounced');

      const gum = await importFile('gumroad.csv');
      assert.equal(gum.up.format, 'gumroad');
      assert.equal(col(gum.up, 'Purchase Email'), 'email');
      assert.equal(col(gum.up, 'Buyer Email'), 'ignore');
      assert.equal(col(gum.up, 'State'), 'ignore', 'a US state is not a subscription status');
      assert.equal(col(gum.up, 'Giftee Email'), 'ignore');
      assert.deepEqual([gum.done.imported, gum.done.skipped], [2, 1], 'one row per sale: the second sale to Ravi is a repeat');
      const ravi = await contact('ravi@example.com');
      assert.deepEqual([ravi.name, ravi.fields.country, ravi.tags], ['Ravi Shah', 'United States', ['Pricing Masterclass', 'Pricing Workbook']]);
      assert.equal((await contact('mia@example.com')).status, 'unsubscribed', '"Do not contact?" is honoured');

      const teach = await importFile('teachable.csv');
      assert.equal(teach.up.format, 'teachable');
      assert.equal(col(teach.up, 'Sign In Count'), 'ignore');
      const tomas = await contact('tomas@example.com');
      assert.deepEqual([tomas.name, tomas.tags, tomas.fields.src], ['Tomás Ortega', ['Cohort 3'], 'youtube']);
      assert.equal((await contact('uma@example.com')).status, 'unsubscribed');
    });

    it('never resubscribes people: an import can record an unsubscribe but not undo one', async () => {
      const csv = 'email,status\nold.reader@example.com,subscribed\nsam.lee@example.com,unsubscribed\n';
      const up = (await upload(t, owner, 'statuses.csv', csv)).json();
      await owner.post(`/api/imports/${up.id}/start`, { consentStatement, existing: 'skip' });
      await runToEnd(t, up.id);
      const done = (await owner.get(`/api/imports/${up.id}`)).json();
      assert.deepEqual([done.updated, done.skipped], [1, 1]);
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'old.reader@example.com'))!.status, 'unsubscribed');
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'sam.lee@example.com'))!.status, 'unsubscribed');
    });

    it('a crash mid-import resumes from the checkpoint: no row lost, none counted twice', async () => {
      const gen = generate(2000);
      const up = (await upload(t, owner, 'big.csv', gen.csv)).json();
      await owner.post(`/api/imports/${up.id}/start`, { consentStatement, listIds: [weekly] });
      const crash = new Error('simulated crash');

      // Dies inside the 4th chunk's transaction, before it commits.
      await assert.rejects(() => t.app.audience.imports.run(up.id, { chunkRows: 100, beforeCommit: (n) => { if (n === 4) throw crash; } }), crash);
      let state = (await owner.get(`/api/imports/${up.id}`)).json();
      assert.equal(state.rowsDone, 300, 'three chunks committed, the fourth rolled back');
      assert.equal(state.status, 'running');
      const fromFile = async () => Number((await t.app.database.execute<{ n: number }>(`select count(*) as n from contacts where source = $1`, [`import:${up.id}`])).rows[0]!.n);
      assert.equal(await fromFile(), state.imported, 'no half chunk of contacts was left behind');

      // Dies right after the 2nd chunk of the next run committed.
      await assert.rejects(() => t.app.audience.imports.run(up.id, { chunkRows: 100, afterCommit: (n) => { if (n === 2) throw crash; } }), crash);
      state = (await owner.get(`/api/imports/${up.id}`)).json();
      assert.equal(state.rowsDone, 500);
      assert.ok(state.progress > 0.2 && state.progress < 0.3, `progress ${state.progress}`);

      assert.equal(await runToEnd(t, up.id, { chunkRows: 100 }), 'completed');
      const done = (await owner.get(`/api/imports/${up.id}`)).json();
      assert.deepEqual({ rows: done.rowsDone, imported: done.imported, updated: done.updated, skipped: done.skipped, errored: done.errored }, { rows: gen.rows, ...gen.expected });
      assert.equal(await fromFile(), gen.expected.imported);
      const issues = (await t.app.database.execute<{ n: number }>(`select count(*) as n from import_issues where import_id = $1`, [up.id])).rows[0]!.n;
      assert.equal(Number(issues), gen.expected.skipped + gen.expected.errored);
      const onList = (await owner.get(`/api/contacts?listId=${weekly}&q=user`)).json().total;
      assert.equal(onList, gen.expected.imported);
    });

    it('two workers on one import never both commit a chunk', async () => {
      const gen = generate(600);
      const up = (await upload(t, owner, 'twice.csv', gen.csv)).json();
      await owner.post(`/api/imports/${up.id}/start`, { consentStatement });
      const results = await Promise.allSettled([
        t.app.audience.imports.run(up.id, { chunkRows: 50 }),
        t.app.audience.imports.run(up.id, { chunkRows: 50 }),
      ]);
      assert.ok(results.every((r) => r.status === 'fulfilled'));
      await runToEnd(t, up.id, { chunkRows: 50 });
      const done = (await owner.get(`/api/imports/${up.id}`)).json();
      assert.equal(done.status, 'completed');
      // The same people were imported by the previous test: now they are updates.
      assert.deepEqual(
        { rows: done.rowsDone, imported: done.imported, updated: done.updated, skipped: done.skipped, errored: done.errored },
        { rows: 600, imported: 0, updated: gen.expected.imported, skipped: gen.expected.skipped, errored: gen.expected.errored },
      );
    });

    it('reads Windows (cp1252) files; refuses UTF-16 and empty files; can be cancelled', async () => {
      const latin = Buffer.from([...Buffer.from('email,name,note\r\nmuller@example.com,M'), 0xfc, ...Buffer.from('ller,costs 5'), 0x80, ...Buffer.from('\r\n')]);
      const up = (await upload(t, owner, 'excel.csv', latin)).json();
      assert.equal(up.encoding, 'windows-1252');
      await owner.post(`/api/imports/${up.id}/start`, { consentStatement });
      await runToEnd(t, up.id);
      const m = await t.app.audience.findByEmail(t.app.db, 'muller@example.com');
      assert.equal(m!.name, 'Müller');
      assert.equal(m!.fields.note, 'costs 5€');

      const utf16 = await upload(t, owner, 'u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\r\n', 'utf16le')]));
      assert.equal(utf16.statusCode, 400);
      assert.match(utf16.json().error.message, /CSV UTF-8/);
      assert.equal((await upload(t, owner, 'empty.csv', '')).statusCode, 400);

      const c = (await upload(t, owner, 'cancel.csv', generate(50).csv)).json();
      await owner.post(`/api/imports/${c.id}/start`, { consentStatement });
      const cancelled = await owner.post(`/api/imports/${c.id}/cancel`);
      assert.equal(cancelled.json().status, 'cancelled');
      assert.equal(await t.app.audience.imports.run(c.id), 'stopped');
      assert.equal((await owner.get(`/api/imports/${c.id}`)).json().rowsDone, 0);
    });
  });
}

describe('CSV import as a background job', () => {
  it('uploads, starts, shows progress and finishes through the job queue', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-import-job-'));
    const t = await createTestApp('pglite', { config: { DATA_DIR: dataDir, IMPORT_CHUNK_ROWS: '200', IMPORT_MAX_MB: '1' }, startWorkers: true });
    try {
      const owner = await setupOwner(t);
      const gen = generate(1500);
      const up = (await upload(t, owner, 'job.csv', gen.csv)).json();
      await owner.post(`/api/imports/${up.id}/start`, { consentStatement });
      const done = await waitFor(
        async () => {
          const v = (await owner.get(`/api/imports/${up.id}`)).json();
          return v.status === 'completed' ? v : null;
        },
        { timeoutMs: 60_000, what: 'the import job' },
      );
      assert.deepEqual({ rows: done.rowsDone, imported: done.imported, skipped: done.skipped, errored: done.errored }, { rows: 1500, imported: gen.expected.imported, skipped: gen.expected.skipped, errored: gen.expected.errored });
      const list = (await owner.get('/api/imports')).json().imports;
      assert.equal(list[0].id, up.id);

      const tooBig = await upload(t, owner, 'huge.csv', 'email\n' + 'someone@example.com\n'.repeat(60_000));
      assert.equal(tooBig.statusCode, 413);
      assert.match(tooBig.json().error.message, /larger than the 1 MB import limit \(IMPORT_MAX_MB\)/);
      assert.deepEqual(fs.readdirSync(path.join(dataDir, 'imports')), [], 'nothing of the refused file is left on disk');
    } finally {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const pgOnly: Backend[] = backends().filter((b) => b === 'pg');
for (const backend of pgOnly) {
  describe('CSV import survives SIGKILL [pg]', () => {
    it('a worker process killed at three random moments leaves an import that resumes to the exact counts', soakOrCrashTest, async (ctx) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-import-kill-'));
      const t = await createTestApp(backend, { config: { DATA_DIR: dataDir } });
      try {
        const owner = await setupOwner(t);
        const gen = generate(40_000);
        const up = (await upload(t, owner, 'kill.csv', gen.csv)).json();
        await owner.post(`/api/imports/${up.id}/start`, { consentStatement });
        const kills: number[] = [];
        for (let k = 0; k < 3; k++) {
          const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'import-worker.ts'), t.url!, dataDir, up.id, '250'], { stdio: ['ignore', 'pipe', 'inherit'] });
          const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
          await new Promise<void>((resolve, reject) => {
            child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
            child.on('exit', () => reject(new Error('worker exited before it was ready')));
          });
          // Killed once the import has passed a random point in the k-th quarter of the file
          // (by its committed rows, not by time: a quiet machine imports 40 000 rows in
          // about two seconds, and random delays once let the import finish before the
          // third kill).
          const target = Math.floor(gen.rows * (0.1 + 0.25 * k + Math.random() * 0.15));
          let gone = false;
          child.once('exit', () => (gone = true));
          while (!gone && (await owner.get(`/api/imports/${up.id}`)).json().rowsDone < target) await new Promise((r) => setTimeout(r, 5));
          child.kill('SIGKILL');
          await exited;
          const v = (await owner.get(`/api/imports/${up.id}`)).json();
          kills.push(v.rowsDone);
          assert.equal(v.imported + v.updated + v.skipped + v.errored, v.rowsDone, 'counters always match the checkpoint');
        }
        ctx.diagnostic(`rows committed when each SIGKILL landed: ${kills.join(', ')} of ${gen.rows}`);
        assert.ok(kills[2]! < gen.rows, `the kills happened mid-import (rows at each kill: ${kills.join(', ')})`);
        // pg-boss would hand the job to another process once it expires; here we resume at once.
        assert.equal(await runToEnd(t, up.id, { chunkRows: 250 }), 'completed');
        const done = (await owner.get(`/api/imports/${up.id}`)).json();
        assert.deepEqual({ rows: done.rowsDone, imported: done.imported, updated: done.updated, skipped: done.skipped, errored: done.errored }, { rows: gen.rows, ...gen.expected });
        const n = (await t.app.database.execute<{ n: number }>(`select count(*) as n from contacts where source = $1`, [`import:${up.id}`])).rows[0]!.n;
        assert.equal(Number(n), gen.expected.imported);
      } finally {
        await t.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
