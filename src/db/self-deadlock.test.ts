import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { openMemoryDatabase, setSelfDeadlockWarnMs, type Database } from './client.js';

describe('PGlite: a query that waits for its own transaction', () => {
  // A waiting PGlite query and the (unref'd) watchdog timer do not keep Node running; a server does.
  const keepAlive = setInterval(() => {}, 1000);
  let database: Database;
  before(async () => {
    database = await openMemoryDatabase();
  });
  after(async () => {
    await database.close();
    clearInterval(keepAlive);
    setSelfDeadlockWarnMs(20_000);
  });

  it('is reported with the stack of the call that made it, instead of hanging silently', async () => {
    setSelfDeadlockWarnMs(150);
    try {
      const warned = once(process, 'warning') as Promise<[Error]>;
      let outside: Promise<unknown> | null = null;
      const [warning] = await database.transaction(async () => {
        // The mistake: inside the transaction, the database itself instead of tx. On PGlite's one
        // connection this waits for the transaction, which waits for it.
        outside = database.execute('select 1 as one');
        return Promise.race([warned, outside.then(() => assert.fail('the query ran inside the open transaction'))]);
      });
      assert.equal(warning.name, 'SelfDeadlockWarning');
      assert.match(warning.message, /pass the transaction \(tx\) down/);
      assert.match(warning.message, /self-deadlock\.test\.ts/, 'the warning names the call site');
      // Once the transaction ends, the waiting query runs.
      assert.deepEqual(((await outside!) as { rows: unknown[] }).rows, [{ one: 1 }]);
    } finally {
      setSelfDeadlockWarnMs(20_000);
    }
  });

  it('stays quiet about a query that merely runs after the transaction', async () => {
    setSelfDeadlockWarnMs(100);
    const warnings: Error[] = [];
    const listen = (w: Error) => warnings.push(w);
    process.on('warning', listen);
    try {
      let later: Promise<unknown> | null = null;
      await database.transaction(async (tx) => {
        later = database.execute('select 2 as two'); // not awaited by the transaction
        await tx.execute('select pg_sleep(0.3)');
      });
      await later;
      // Longer than the threshold has passed since the query was made: the timer was cleared in time or found the transaction closed.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(warnings.filter((w) => w.name === 'SelfDeadlockWarning'), []);
    } finally {
      process.off('warning', listen);
    }
  });
});
