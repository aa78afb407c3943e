import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { OWNER, addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { ManualClock } from '../../clock.js';
import { events as eventsTable } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { classifyFourD, processesNeedingOwner, weeklyMeter, type WeeklyCount } from './meter.js';
import { forecastAbsence } from './forecast.js';
import { rankDecisions, MAX_DECISIONS } from './review.js';
import { linksIn } from './links.js';
import type { AlertView } from './types.js';

const DAY = 86_400_000;

describe('the 4D classification and the meter (pure)', () => {
  it('classifies the owner\'s work as Clockwork\'s four D\'s, and leaves what is not work out', () => {
    const table: [string, string | null][] = [
      ['order.refunded', 'doing'], ['broadcast.started', 'doing'], ['lesson.updated', 'doing'], ['ticket.replied', 'doing'], ['support.replied', 'doing'],
      ['approval.approved', 'deciding'], ['approval.refused', 'deciding'],
      ['user.invited', 'delegating'], ['task.created', 'delegating'], ['owner.delegation_accepted', 'delegating'],
      ['automation.published', 'designing'], ['product.created', 'designing'], ['course.created', 'designing'], ['lesson.created', 'designing'], ['page.published', 'designing'],
      ['user.signed_in', null], ['order.paid', null], ['email.opened', null],
    ];
    for (const [type, d] of table) assert.equal(classifyFourD(type), d, type);
  });

  const weeks = ['2026-03-02', '2026-03-09'];
  const fixture: WeeklyCount[] = [
    { week: '2026-03-02', type: 'order.refunded', actorKind: 'owner', actorId: 'o', actorRole: 'owner', n: 8 },
    { week: '2026-03-02', type: 'order.refunded', actorKind: 'assistant', actorId: 'a1', actorRole: 'support', n: 2 },
    { week: '2026-03-02', type: 'automation.published', actorKind: 'owner', actorId: 'o', actorRole: 'owner', n: 4 },
    { week: '2026-03-02', type: 'email.sent', actorKind: 'automation', actorId: 'w1', actorRole: null, n: 10 },
    { week: '2026-03-02', type: 'order.paid', actorKind: 'customer', actorId: null, actorRole: null, n: 50 },
    { week: '2026-03-09', type: 'approval.approved', actorKind: 'owner', actorId: 'o', actorRole: 'owner', n: 3 },
    { week: '2026-03-09', type: 'contact.tagged', actorKind: 'assistant', actorId: 'a1', actorRole: 'marketing', n: 9 },
    { week: '2026-03-09', type: 'contact.tagged', actorKind: 'owner', actorId: 'o', actorRole: 'owner', n: 1 },
  ];

  it('counts operations per week by actor, the owner share of the work and the 4D mix', () => {
    const m = weeklyMeter(weeks, fixture, { '2026-03-09': 45 });
    assert.deepEqual(m[0]!.byActor, { owner: 12, assistant: 2, automation: 10, customer: 50, system: 0 });
    assert.equal(m[0]!.ownerShare, 12 / 24, 'customers are not work done for the business');
    assert.deepEqual(m[0]!.work, { owner: 12, assistant: 2, automation: 10 });
    assert.deepEqual(m[0]!.fourD, { doing: 8, deciding: 0, delegating: 0, designing: 4 });
    assert.deepEqual(m[1]!.fourD, { doing: 1, deciding: 3, delegating: 0, designing: 0 });
    assert.equal(m[1]!.ownerMinutes, 45);
    assert.equal(m[0]!.ownerMinutes, 0);
  });

  it('lists the operating work the owner still does most of, with the fix Onehour offers', () => {
    const p = processesNeedingOwner(fixture);
    assert.deepEqual(p.map((x) => x.type), ['order.refunded', 'approval.approved']);
    assert.equal(p[0]!.fix.kind, 'delegate');
    assert.equal(p[0]!.fix.kind === 'delegate' && p[0]!.fix.role, 'support');
    assert.equal(p[0]!.ownerShare, 0.8);
    // Design work is the owner's job; tagging is mostly the assistant's: neither is listed.
    assert.ok(!p.some((x) => x.type === 'automation.published' || x.type === 'contact.tagged'));
    assert.deepEqual(processesNeedingOwner(fixture, { delegated: new Set(['order.refunded']) }).map((x) => x.type), ['approval.approved']);
  });
});

describe('the weekly review\'s decisions (pure)', () => {
  const alert = (i: number, detector: string): AlertView => ({ id: `00000000-0000-4000-8000-00000000000${i}`, detector, key: `k${i}`, label: `Alert ${i}`, day: '2026-03-09', observed: 10, expected: 20, changePct: -50, detail: 'd', link: null, status: 'open', createdAt: new Date() });
  it('ranks urgent approvals and sudden drops first and keeps at most seven', () => {
    const decisions = rankDecisions({
      approvals: [
        { id: 'a1', kind: 'support.refund', title: 'Refund 250', summary: '', urgent: false, data: { amount: 25000 }, requestedBy: { kind: 'assistant', id: 's1', role: 'support' }, delegatedToId: null, delegatedAt: null, createdAt: new Date() },
        { id: 'a2', kind: 'support.refund', title: 'Urgent refund', summary: '', urgent: true, data: {}, requestedBy: { kind: 'assistant', id: 's1', role: 'support' }, delegatedToId: null, delegatedAt: null, createdAt: new Date() },
      ],
      alerts: [alert(1, 'sudden_drop'), alert(2, 'slow_decline'), alert(3, 'course_overdue'), alert(4, 'course_overdue'), alert(5, 'broken_link'), alert(6, 'automation_health'), alert(7, 'mail_guard')],
      processes: [{ type: 'order.refunded', d: 'doing', owner: 10, others: 0, ownerShare: 1, fix: { kind: 'delegate', role: 'support', text: 't' } }],
      carriedKeys: new Set(['approval:a1']),
      staffName: () => 'Sam',
    });
    assert.equal(decisions.length, MAX_DECISIONS);
    assert.deepEqual(decisions.slice(0, 3).map((d) => d.key), ['approval:a2', 'alert:sudden_drop:k1', 'workflow:k6']);
    assert.deepEqual(decisions.map((d) => d.rank), [1, 2, 3, 4, 5, 6, 7]);
    assert.ok(decisions.find((d) => d.key === 'approval:a1')!.carried);
    const approve = decisions[0]!.actions.find((a) => a.kind === 'approve');
    assert.equal(approve && 'url' in approve ? approve.url : null, '/api/approvals/a2/approve');
  });
  it('makes one decision of a total and the part that fell the same way', () => {
    const at = (detector: string, key: string): AlertView => ({ ...alert(1, detector), id: `${detector}-${key}`, key });
    const decisions = rankDecisions({
      approvals: [],
      alerts: [at('sudden_drop', 'visitors'), at('sudden_drop', 'visitors:Google'), at('slow_decline', 'visitors'), at('slow_decline', 'signups:form')],
      processes: [],
      carriedKeys: new Set(),
      staffName: () => 'Sam',
    });
    // The total's slide is its overnight drop's, and that one is Google's: one decision.
    assert.deepEqual(decisions.map((d) => d.key), ['alert:sudden_drop:visitors:Google', 'alert:slow_decline:signups:form']);
  });
  it('makes one decision of a drop that stays down, and of SLA breaches listed conversation by conversation', () => {
    const at = (detector: string, key: string): AlertView => ({ ...alert(1, detector), id: `${detector}-${key}`, key });
    const alerts = [at('sudden_drop', 'visitors:Google'), at('slow_decline', 'visitors:Google'), at('slow_decline', 'visitors:Facebook'), at('sla_breach', 'support')];
    const escalated = [{ id: 'c1', number: 1, subject: 'Help', email: 'lu@example.com', assigneeId: 's1', breachedAt: new Date('2026-03-08T10:00:00Z') }];
    const responders = [{ id: 's1', name: 'Sam', role: 'support' }, { id: 's2', name: 'Sue', role: 'support' }];
    const withConversations = rankDecisions({ approvals: [], alerts, processes: [], carriedKeys: new Set(), staffName: () => 'Sam', escalated, responders });
    assert.deepEqual(withConversations.map((d) => d.key), ['alert:sudden_drop:visitors:Google', 'alert:slow_decline:visitors:Facebook', 'conversation:c1']);
    const reassign = withConversations[2]!.actions.find((a) => a.kind === 'reassign');
    assert.deepEqual(reassign && 'choices' in reassign ? reassign.choices.map((c) => c.id) : null, ['s2'], 'the current assignee is not offered');
    const without = rankDecisions({ approvals: [], alerts, processes: [], carriedKeys: new Set(), staffName: () => 'Sam' });
    assert.ok(without.some((d) => d.key === 'alert:sla_breach:support'), 'the summary stands in when the inbox lists none');
    const noneWaiting = rankDecisions({ approvals: [], alerts, processes: [], carriedKeys: new Set(), staffName: () => 'Sam', escalated: [], responders });
    assert.ok(!noneWaiting.some((d) => d.key === 'alert:sla_breach:support'), 'nothing is waiting: the summary does not come back');
  });
});

describe('the absence forecast model (pure, on a fixture)', () => {
  it('keeps evergreen and recurring revenue, drops the owner\'s launch spikes, and names what runs out', () => {
    const today = '2026-06-01';
    const days = Array.from({ length: 84 }, (_, i) => {
      const day = new Date(Date.parse('2026-03-09T00:00:00Z') + i * DAY).toISOString().slice(0, 10);
      return { day, firstPayments: 10_000, recurring: 1_000 };
    });
    // Two owner broadcasts, each followed by a day at 5x the usual.
    days[20]!.firstPayments = 50_000;
    days[60]!.firstPayments = 50_000;
    const f = forecastAbsence({
      today, days, currency: 'EUR', ownerPushDays: [days[20]!.day, days[60]!.day],
      processes: [{ type: 'order.refunded', d: 'doing', owner: 9, others: 1, ownerShare: 0.9, fix: { kind: 'delegate', role: 'support', text: 'Let the support role refund up to a limit' } }],
      courses: [{ id: 'c1', title: 'Old course', dueAt: '2026-07-01' }, { id: 'c2', title: 'Fresh course', dueAt: '2027-01-01' }],
      approvals: { pending: 2, requestedPerWeek: 1 },
      scheduledSends: [{ id: 'b1', name: 'June news', at: '2026-06-10' }, { id: 'b0', name: 'Past', at: '2026-05-01' }],
    });
    assert.equal(f.until, '2026-08-30');
    assert.equal(f.revenue.evergreenWeekly, 70_000);
    assert.equal(f.revenue.ownerDrivenWeekly, Math.round(80_000 / 12));
    assert.equal(f.revenue.weeklyTrendPct, 0);
    // 90 days of 10 000 evergreen + 1 000 recurring.
    assert.equal(f.revenue.expected, 990_000);
    assert.ok(f.revenue.low < f.revenue.expected && f.revenue.expected <= f.revenue.high);
    assert.equal(f.revenue.expected - f.revenue.low, 90_000, 'flat weeks: only the stale-course penalty (10 % of evergreen) widens the low end');
    assert.ok(f.revenue.lastPeriod > f.revenue.expected, 'the last 90 days had the launches in them');
    assert.deepEqual(f.stops.map((s) => s.type), ['order.refunded']);
    assert.deepEqual(f.coursesGoingStale.map((c) => c.id), ['c1']);
    assert.equal(f.approvalsPilingUp, 15);
    assert.equal(f.sendsRunOutOn, '2026-06-10');
  });

  it('follows a declining evergreen trend', () => {
    const days = Array.from({ length: 84 }, (_, i) => ({ day: new Date(Date.parse('2026-03-09T00:00:00Z') + i * DAY).toISOString().slice(0, 10), firstPayments: Math.round(10_000 * (1 - i / 168)), recurring: 0 }));
    const f = forecastAbsence({ today: '2026-06-01', days, currency: 'EUR', ownerPushDays: [], processes: [], courses: [], approvals: { pending: 0, requestedPerWeek: 0 }, scheduledSends: [] });
    assert.ok(f.revenue.weeklyTrendPct < 0);
    assert.ok(f.revenue.expected < 90 * 5_000, `a business halving over 12 weeks keeps falling: ${f.revenue.expected}`);
  });
});

describe('links found in content', () => {
  it('finds outside http(s) links and leaves the site\'s own out', () => {
    const found = linksIn({ html: '<a href="https://example.org/a?x=1&amp;y=2">x</a> see http://other.test/b. and https://shop.test/own' }, 'page /x', 'https://shop.test');
    assert.deepEqual(found.map((l) => l.url), ['https://example.org/a?x=1&y=2', 'http://other.test/b']);
  });
});

for (const backend of backends()) {
  describe(`owner module on ${backend}`, () => {
    let t: TestApp;
    let owner: Client;
    let support: Client;
    let target: Server;
    let targetUrl: string;
    let hits = 0;
    const clock = new ManualClock('2026-03-11T10:00:00Z'); // a Wednesday

    before(async () => {
      target = createServer((req, res) => {
        hits++;
        res.statusCode = req.url === '/ok' ? 200 : 404;
        res.end();
      });
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
      targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
      t = await createTestApp(backend, { clock });
      owner = await setupOwner(t);
      support = await addMember(t, owner, 'support');
    });
    // Sessions expire when the clock jumps weeks ahead.
    const signInAgain = async () => {
      await owner.login(OWNER.email, OWNER.password);
      await support.login('support@example.com', 'support password 123');
    };
    after(async () => {
      await t.close();
      target.close();
    });

    it('measures the owner\'s active time in 5-minute windows from their requests', async () => {
      clock.advance(5 * 60_000); // a window of its own, after the sign-up's
      const before = (await t.app.owner.meter()).current.ownerMinutes;
      await owner.get('/api/owner/settings');
      await owner.get('/api/owner/settings');
      clock.advance(6 * 60_000);
      await owner.get('/api/owner/settings');
      await support.get('/api/owner/review');
      const m = await t.app.owner.meter();
      assert.equal(m.current.ownerMinutes - before, 10, 'two windows of five minutes');
    });

    it('reads the meter, the 4D mix and the processes from a fixture log', async () => {
      const [ownerUser] = (await t.app.team.listUsers()).filter((u) => u.role === 'owner');
      const now = clock.now().getTime();
      const rows = [
        ...Array.from({ length: 6 }, (_, i) => ({ type: 'order.refunded', actorKind: 'owner', actorId: ownerUser!.id, actorRole: 'owner', occurredAt: new Date(now - (i + 1) * 3_600_000), subjectType: 'order', subjectId: `o${i}`, data: { amount: 100, currency: 'EUR', full: true, totalRefunded: 100, contactId: '00000000-0000-4000-8000-000000000001' } })),
        ...Array.from({ length: 2 }, (_, i) => ({ type: 'automation.published', actorKind: 'owner', actorId: ownerUser!.id, actorRole: 'owner', occurredAt: new Date(now - (i + 1) * 3_600_000), subjectType: 'workflow', subjectId: `w${i}`, data: { version: 1, name: 'w' } })),
        ...Array.from({ length: 12 }, (_, i) => ({ type: 'contact.tagged', actorKind: 'automation', actorId: 'w1', actorRole: null, occurredAt: new Date(now - (i + 1) * 3_600_000), subjectType: 'contact', subjectId: '00000000-0000-4000-8000-000000000001', data: { tagId: 't1', tag: 'x' } })),
        // A week earlier: not in this week's mix.
        { type: 'order.refunded', actorKind: 'owner', actorId: ownerUser!.id, actorRole: 'owner', occurredAt: new Date(now - 9 * DAY), subjectType: 'order', subjectId: 'old', data: {} },
      ];
      const base = (await t.app.owner.meter()).current;
      await t.app.db.insert(eventsTable).values(withContactIds(rows));
      const m = await t.app.owner.meter();
      assert.equal(m.weeks.length, 12);
      assert.equal(m.current.week, '2026-03-09');
      assert.equal(m.current.fourD.doing - base.fourD.doing, 6);
      assert.equal(m.current.fourD.designing - base.fourD.designing, 2);
      assert.equal(m.current.byActor.automation - base.byActor.automation, 12);
      assert.ok(m.current.ownerShare > 0 && m.current.ownerShare < 1);
      assert.equal(m.leverage.operating - (base.fourD.doing + base.fourD.deciding), 6);
      const refunds = m.processes.find((p) => p.type === 'order.refunded');
      assert.equal(refunds?.owner, 7);
      assert.equal(refunds?.fix.kind, 'delegate');

      // Accepting the suggested delegation takes the process off the list, recorded with its actor.
      const res = await owner.post('/api/owner/delegations', { eventType: 'order.refunded', role: 'support' });
      assert.equal(res.statusCode, 204, res.body);
      assert.ok(!(await t.app.owner.meter()).processes.some((p) => p.type === 'order.refunded'));
      const [ev] = await t.app.events.list(t.app.db, { type: 'owner.delegation_accepted' });
      assert.equal(ev?.actorKind, 'owner');
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'no.such_thing', role: 'support' })).statusCode, 400);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'order.refunded', role: 'owner' })).statusCode, 400);
    });

    it('keeps the settings: budget, away mode with an admin delegate, validated; owner only', async () => {
      assert.equal((await owner.get('/api/owner/settings')).json().budgetMinutes, 60);
      const bad = await owner.patch('/api/owner/settings', { awayFrom: '2026-04-10', awayUntil: '2026-04-01' });
      assert.equal(bad.statusCode, 400);
      assert.equal((await owner.patch('/api/owner/settings', { awayFrom: '2026-04-01' })).statusCode, 400, 'both days or neither');
      const [supportUser] = (await t.app.team.listUsers()).filter((u) => u.role === 'support');
      assert.equal((await owner.patch('/api/owner/settings', { awayFrom: '2026-04-01', awayUntil: '2026-04-10', awayDelegateId: supportUser!.id })).statusCode, 400, 'escalations go to an admin');
      assert.equal((await owner.patch('/api/owner/settings', { timeBudget: 'hour_day\u0000' })).statusCode, 400);
      const ok = await owner.patch('/api/owner/settings', { timeBudget: 'day_week', awayFrom: '2026-04-01', awayUntil: '2026-04-10' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().budgetMinutes, 480);
      assert.equal(ok.json().away, false);
      assert.equal((await support.get('/api/owner/review')).statusCode, 403);
      assert.equal((await support.patch('/api/owner/settings', { timeBudget: 'hour_week' })).statusCode, 403);
      await owner.patch('/api/owner/settings', { awayFrom: null, awayUntil: null, timeBudget: 'hour_week' });
    });

    it('raises one alert per course overdue for review, and resolves it once the course is reviewed', async () => {
      const course = await t.app.learning.createCourse({ title: 'Stale course', reviewIntervalDays: 30 }, { kind: 'system' });
      clock.advance(45 * DAY);
      await signInAgain();
      await t.app.owner.runDailyChecks();
      await t.app.owner.runDailyChecks();
      const open = (await t.app.owner.listAlerts({ status: 'open' })).filter((a) => a.detector === 'course_overdue');
      assert.equal(open.length, 1, 'one open alert per key and detector');
      assert.equal(open[0]!.key, course.id);
      const res = await owner.get('/api/owner/review');
      assert.equal(res.statusCode, 200, res.body);
      const review = res.json();
      assert.ok(review.decisions.some((d: { key: string }) => d.key === `course:${course.id}`));
      assert.ok(review.decisions.length <= 7);
      const marked = await owner.post(`/api/learning/courses/${course.id}/reviewed`, {});
      assert.equal(marked.statusCode, 200, marked.body);
      await t.app.owner.runDailyChecks();
      assert.equal((await t.app.owner.listAlerts({ status: 'open' })).filter((a) => a.detector === 'course_overdue').length, 0);
      const after = (await owner.get('/api/owner/review')).json();
      assert.ok(!after.decisions.some((d: { key: string }) => d.key === `course:${course.id}`));
    });

    it('watches the mail guard\'s pauses and lets the owner acknowledge the alert', async () => {
      await t.app.db.insert(eventsTable).values(withContactIds([{ type: 'broadcast.paused_by_guard', actorKind: 'system', actorId: null, actorRole: null, occurredAt: clock.now(), subjectType: 'broadcast', subjectId: '00000000-0000-4000-8000-0000000000bb', data: { name: 'Spring', sent: 100, bounced: 20, complained: 0, bounceRate: 0.2, complaintRate: 0, detail: '20 % bounced' } }]));
      await t.app.owner.runDailyChecks();
      const [a] = (await t.app.owner.listAlerts({ status: 'open' })).filter((x) => x.detector === 'mail_guard');
      assert.ok(a);
      assert.equal((await support.post(`/api/owner/alerts/${a.id}/acknowledge`)).statusCode, 403);
      const ack = await owner.post(`/api/owner/alerts/${a.id}/acknowledge`);
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(ack.json().status, 'acknowledged');
      assert.equal((await owner.post(`/api/owner/alerts/${a.id}/acknowledge`)).statusCode, 400);
    });

    it('checks outside links of lessons, refusing private addresses unless allowed', async () => {
      const course = await t.app.learning.createCourse({ title: 'Links' }, { kind: 'system' });
      const mod = await t.app.learning.addModule(course.id, 'M', { kind: 'system' });
      await t.app.learning.addLesson(mod.id, { title: 'L', bodyMarkdown: `Read [this](${targetUrl}/ok) and [that](${targetUrl}/gone).` }, { kind: 'system' });
      const refused = await t.app.owner.checkLinks({ perHostIntervalMs: 0 });
      assert.equal(refused.checked, 2);
      assert.equal(refused.broken, 0, 'a refused private address is not reported as broken');
      assert.equal(hits, 0, 'no request reached the private address');

      const allowed = await createTestApp(backend, { clock, config: { OWNER_LINKS_ALLOW_PRIVATE: '1' } });
      try {
        const c = await allowed.app.learning.createCourse({ title: 'Links' }, { kind: 'system' });
        const m = await allowed.app.learning.addModule(c.id, 'M', { kind: 'system' });
        await allowed.app.learning.addLesson(m.id, { title: 'L', bodyMarkdown: `Read [this](${targetUrl}/ok) and [that](${targetUrl}/gone).` }, { kind: 'system' });
        const waits: number[] = [];
        const r = await allowed.app.owner.checkLinks({ perHostIntervalMs: 60_000, wait: async (ms) => void waits.push(ms) });
        assert.deepEqual(r, { checked: 2, broken: 1 });
        assert.equal(hits, 2);
        assert.equal(waits.length, 1, 'the second request to the same host waited');
        assert.equal((await allowed.app.owner.checkLinks({ perHostIntervalMs: 0 })).checked, 0, 'checked at most weekly');
        await allowed.app.owner.runDailyChecks();
        const broken = (await allowed.app.owner.listAlerts({ status: 'open' })).filter((a) => a.detector === 'broken_link');
        assert.deepEqual(broken.map((b) => b.key), [`${targetUrl}/gone`]);
      } finally {
        await allowed.close();
      }
    });

    it('sends the review email on Monday morning in the owner\'s time zone, once, and waits while the owner is away', async () => {
      // Wednesday: the week's review is due (Monday's was missed) — but first, away mode.
      const today = new Date(clock.now());
      const day = today.toISOString().slice(0, 10);
      await owner.patch('/api/owner/settings', { awayFrom: day, awayUntil: new Date(today.getTime() + 2 * DAY).toISOString().slice(0, 10) });
      assert.equal(await t.app.owner.sendReviewIfDue(), false, 'the review waits while away');
      clock.advance(3 * DAY);
      await signInAgain();
      assert.equal(await t.app.owner.sendReviewIfDue(), true, 'back: the week\'s review goes out');
      assert.equal(await t.app.owner.sendReviewIfDue(), false, 'once a week');
      const outbox = await t.app.mail.listOutbox({ to: 'owner@example.com', limit: 10, offset: 0 });
      assert.equal(outbox.filter((m) => m.subject.startsWith('Weekly review')).length, 1, 'the review is in the outbox, once');
    });
  });
}
