// Every table belongs to one module (the pgTable calls in its schema.ts). Imports past a module's
// index.ts are refused by npm run lint:deps; this test does the same for SQL written as text,
// which no import shows: a statement naming another module's table fails here unless it is in
// the list of known debt below (each entry says why it is still there). A fixed entry must
// leave the list, so the list only shrinks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const MODULES = 'src/modules';

/** file → tables of other modules it still names in SQL text, and why. */
// Empty since 2026-12-03: the mail engine and segments read audience and access through their views.
const KNOWN_DEBT: Record<string, { tables: string[]; why: string }> = {
};

function ownersOfTables(): Map<string, string> {
  const owners = new Map<string, string>();
  for (const mod of fs.readdirSync(MODULES)) {
    const schema = path.join(MODULES, mod, 'schema.ts');
    if (!fs.existsSync(schema)) continue;
    for (const m of fs.readFileSync(schema, 'utf8').matchAll(/pgTable\(\s*'([a-z_0-9]+)'/g)) owners.set(m[1]!, mod);
  }
  return owners;
}

/** Tables of other modules that `source` (a file of module `mod`) names in SQL text. */
export function foreignTablesIn(source: string, mod: string, owners: Map<string, string>): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/\b(?:from|join|update|into)\s+"?([a-z_][a-z_0-9]*)"?/gi)) {
    const table = m[1]!.toLowerCase();
    const owner = owners.get(table);
    if (owner && owner !== mod) found.add(table);
  }
  return [...found].sort();
}

function productionFiles(): { file: string; mod: string }[] {
  const out: { file: string; mod: string }[] = [];
  for (const mod of fs.readdirSync(MODULES)) {
    const walk = (dir: string) => {
      for (const name of fs.readdirSync(dir)) {
        const p = path.join(dir, name);
        if (fs.statSync(p).isDirectory()) {
          if (name !== 'migrations' && name !== 'fixtures') walk(p);
        } else if (/\.tsx?$/.test(name) && !/(\.test\.tsx?|^demo\.ts|^test-[^/]*\.ts|^schema\.ts)$/.test(name)) out.push({ file: p.split(path.sep).join('/'), mod });
      }
    };
    walk(path.join(MODULES, mod));
  }
  return out;
}

describe('every table is read and written by its own module', () => {
  const owners = ownersOfTables();

  it('knows the tables (the check below is not vacuous)', () => {
    assert.equal(owners.get('contacts'), 'audience');
    assert.equal(owners.get('access_grants'), 'access');
    assert.equal(owners.get('orders'), 'checkout');
    assert.deepEqual(foreignTablesIn("select o.id from orders o join access_grants g on g.contact_id = o.contact_id", 'learning', owners), ['access_grants', 'orders']);
    assert.deepEqual(foreignTablesIn('select id from courses', 'learning', owners), []);
  });

  it('names no other module’s table in SQL text, except the listed debt', () => {
    const found: Record<string, string[]> = {};
    for (const { file, mod } of productionFiles()) {
      const tables = foreignTablesIn(fs.readFileSync(file, 'utf8'), mod, owners);
      if (tables.length) found[file] = tables;
    }
    const debt = Object.fromEntries(Object.entries(KNOWN_DEBT).map(([f, d]) => [f, [...d.tables].sort()]));
    assert.deepEqual(found, debt, 'a module names another module’s table: read through its index.ts (a service query method or its read-only view); a listed entry that is fixed leaves KNOWN_DEBT');
  });
});

// Inside checkout, one file writes the money: orders, their lines, payments and refunds change
// only through the order ledger (src/modules/checkout/ledger.ts, docs/checkout.md). Reads are free.
const LEDGER = 'src/modules/checkout/ledger.ts';
const LEDGER_TABLES: Record<string, string> = { orders: 'orders', orderItems: 'order_items', payments: 'payments', refunds: 'refunds' };

/** The ledger's tables that `source` writes, through drizzle or in SQL text. */
export function ledgerWritesIn(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/\.(?:insert|update|delete)\(\s*([A-Za-z_$][\w$]*)\s*\)/g)) {
    const table = LEDGER_TABLES[m[1]!];
    if (table) found.add(table);
  }
  for (const m of source.matchAll(/\b(?:insert\s+into|update|delete\s+from)\s+"?([a-z_][a-z_0-9]*)"?/gi)) {
    const table = m[1]!.toLowerCase();
    if (Object.values(LEDGER_TABLES).includes(table)) found.add(table);
  }
  return [...found].sort();
}

describe('the order ledger is the one writer of orders, order lines, payments and refunds', () => {
  it('recognises a write (the check below is not vacuous)', () => {
    assert.deepEqual(ledgerWritesIn('await tx.update(orders).set({ status: "paid" })'), ['orders']);
    assert.deepEqual(ledgerWritesIn('await tx.insert(payments).values(row); await db.delete(refunds)'), ['payments', 'refunds']);
    assert.deepEqual(ledgerWritesIn("execute('update order_items set amount = 0')"), ['order_items']);
    assert.deepEqual(ledgerWritesIn('await tx.select().from(orders).where(eq(orders.id, id)); await tx.update(subscriptions)'), []);
    assert.deepEqual(ledgerWritesIn(fs.readFileSync(LEDGER, 'utf8')), ['order_items', 'orders', 'payments', 'refunds']);
  });

  it('no other production file writes them', () => {
    const found: Record<string, string[]> = {};
    for (const { file } of productionFiles()) {
      if (file === LEDGER) continue;
      const tables = ledgerWritesIn(fs.readFileSync(file, 'utf8'));
      if (tables.length) found[file] = tables;
    }
    assert.deepEqual(found, {}, 'orders, order_items, payments and refunds are written by the order ledger only: add a named operation to src/modules/checkout/ledger.ts');
  });
});
