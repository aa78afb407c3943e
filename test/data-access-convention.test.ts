// One data-access convention (docs/architecture.md, "Data access"; issue 10): a method owns its
// transaction unless its name ends in `InTx` and its first parameter is the caller's `tx`. Every
// non-test source under src/ is parsed with the TypeScript compiler API and every public method or
// function is checked: a first parameter named `tx` needs the `InTx` suffix, and the suffix needs
// the `tx`. Private members and functions a module keeps to itself are left alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { API } from 'typescript/unstable/sync';
import { SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast';

export interface Violation {
  /** file:line of the method's name */
  at: string;
  name: string;
  problem: string;
}

// Loose views of the nodes read here (the AST's own types are a union too wide to narrow cheaply).
interface AnyNode extends Node {
  name?: AnyNode;
  text?: string;
  parameters?: readonly AnyNode[];
  modifiers?: readonly Node[];
  members?: readonly AnyNode[];
  initializer?: AnyNode;
  expression?: AnyNode;
  properties?: readonly AnyNode[];
  declarationList?: { declarations: readonly AnyNode[] };
  exportClause?: { elements?: readonly AnyNode[] };
  moduleSpecifier?: Node;
  propertyName?: AnyNode;
  type?: AnyNode;
}

/**
 * The database handle's own primitives take a transaction as their subject, not as the place to do
 * their work: they are how a transaction is used, like `transaction` itself, not data access.
 */
const EXEMPT = new Set(['src/db/client.ts#executorFor', 'src/db/client.ts#afterCommit']);

const functionLike = new Set([SyntaxKind.ArrowFunction, SyntaxKind.FunctionExpression]);
const hasModifier = (n: AnyNode, kind: SyntaxKind) => (n.modifiers ?? []).some((m) => m.kind === kind);
const nameOf = (n: AnyNode) => (n.name && (n.name.kind === SyntaxKind.Identifier || n.name.kind === SyntaxKind.StringLiteral) ? n.name.text : undefined);
/** `x as const`, `x satisfies T`, `(x)` → x */
function unwrap(n: AnyNode | undefined): AnyNode | undefined {
  while (n && (n.kind === SyntaxKind.AsExpression || n.kind === SyntaxKind.SatisfiesExpression || n.kind === SyntaxKind.ParenthesizedExpression)) n = n.expression;
  return n;
}

/** Checks the sources (file name → text) and returns every breach of the convention. */
export function findViolations(files: Record<string, string>): Violation[] {
  const root = '/data-access-convention';
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.posix.join(root, name), text]));
  virtual.set(`${root}/tsconfig.json`, JSON.stringify({ compilerOptions: { noEmit: true, noLib: true, types: [] }, files: Object.keys(files) }));
  const dirs = new Set<string>();
  for (const name of virtual.keys()) for (let d = path.posix.dirname(name); d !== '/'; d = path.posix.dirname(d)) dirs.add(d);
  const inRoot = (p: string) => p === root || p.startsWith(`${root}/`);
  const api = new API({
    cwd: root,
    fs: {
      readFile: (p) => (inRoot(p) ? (virtual.get(p) ?? null) : undefined),
      fileExists: (p) => (inRoot(p) ? virtual.has(p) : undefined),
      directoryExists: (p) => (inRoot(p) || root.startsWith(`${p}/`) ? dirs.has(p) || p === '/' : undefined),
    },
  });
  const found: Violation[] = [];
  try {
    const project = api.updateSnapshot({ openProject: `${root}/tsconfig.json` }).getProject(`${root}/tsconfig.json`);
    if (!project) throw new Error('the TypeScript API opened no project');
    for (const file of Object.keys(files).sort()) {
      const sf = project.program.getSourceFile(path.posix.join(root, file));
      if (!sf) throw new Error(`the TypeScript API did not parse ${file}`);
      checkFile(file, sf, found);
    }
  } finally {
    api.close();
  }
  const line = (v: Violation) => Number(v.at.slice(v.at.lastIndexOf(':') + 1));
  return found.sort((a, b) => a.at.slice(0, a.at.lastIndexOf(':')).localeCompare(b.at.slice(0, b.at.lastIndexOf(':'))) || line(a) - line(b));
}

function checkFile(file: string, sf: SourceFile, found: Violation[]): void {
  const check = (fn: AnyNode, name: string | undefined, at: AnyNode) => {
    if (!name || !fn.parameters || EXEMPT.has(`${file}#${name}`)) return;
    const first = fn.parameters[0]?.name;
    const firstIsTx = first?.kind === SyntaxKind.Identifier && first.text === 'tx';
    const inTx = name.endsWith('InTx');
    if (firstIsTx === inTx) return;
    const line = sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1;
    found.push({ at: `${file}:${line}`, name, problem: inTx ? 'ends in InTx but its first parameter is not `tx`' : 'takes the caller’s `tx` first but its name does not end in InTx' });
  };
  // A function-valued member or property: the method itself, or the arrow/function it holds.
  const checkMember = (m: AnyNode) => {
    if (m.kind === SyntaxKind.MethodDeclaration || m.kind === SyntaxKind.MethodSignature) return check(m, nameOf(m), m.name ?? m);
    const value = unwrap(m.initializer) ?? m.type;
    if (value && (functionLike.has(value.kind) || value.kind === SyntaxKind.FunctionType)) check(value, nameOf(m), m.name ?? m);
    else if (value?.kind === SyntaxKind.ObjectLiteralExpression) value.properties?.forEach(checkMember);
    else if (value?.kind === SyntaxKind.TypeLiteral) value.members?.forEach(checkMember);
  };
  const checkObject = (o: AnyNode | undefined) => {
    o = unwrap(o);
    if (o?.kind === SyntaxKind.ObjectLiteralExpression) o.properties?.forEach(checkMember);
    else if (o && functionLike.has(o.kind)) return true;
    return false;
  };

  // Names a module exports with `export { a, b as c }` (not re-exports of other modules).
  const exportedNames = new Set<string>();
  for (const s of sf.statements as readonly AnyNode[]) {
    if (s.kind === SyntaxKind.ExportDeclaration && !s.moduleSpecifier) for (const e of s.exportClause?.elements ?? []) exportedNames.add((e.propertyName ?? e.name)?.text ?? '');
  }
  const exported = (s: AnyNode, name?: string) => hasModifier(s, SyntaxKind.ExportKeyword) || (name !== undefined && exportedNames.has(name));

  for (const s of sf.statements as readonly AnyNode[]) {
    if (s.kind === SyntaxKind.FunctionDeclaration && exported(s, nameOf(s))) check(s, nameOf(s), s.name ?? s);
    else if (s.kind === SyntaxKind.VariableStatement) {
      for (const d of s.declarationList?.declarations ?? []) {
        if (!exported(s, nameOf(d))) continue;
        if (checkObject(d.initializer)) check(unwrap(d.initializer)!, nameOf(d), d.name ?? d);
      }
    } else if ((s.kind === SyntaxKind.InterfaceDeclaration || s.kind === SyntaxKind.TypeAliasDeclaration) && exported(s, nameOf(s))) {
      (s.members ?? (s.type?.kind === SyntaxKind.TypeLiteral ? s.type.members : []) ?? []).forEach(checkMember);
    }
  }
  // Every class, wherever it is declared: its members that are not private.
  const visit = (n: AnyNode) => {
    if (n.kind === SyntaxKind.ClassDeclaration || n.kind === SyntaxKind.ClassExpression) {
      for (const m of n.members ?? []) {
        if (hasModifier(m, SyntaxKind.PrivateKeyword) || m.name?.kind === SyntaxKind.PrivateIdentifier) continue;
        if (m.kind === SyntaxKind.MethodDeclaration || m.kind === SyntaxKind.PropertyDeclaration) checkMember(m);
      }
    }
    n.forEachChild((c) => visit(c as AnyNode));
  };
  visit(sf as AnyNode);
}

function sourcesUnder(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) sourcesUnder(p, out);
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out[path.relative(process.cwd(), p).split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

describe('data-access convention: `tx` first ⇔ the name ends in InTx', () => {
  it('holds for every method and exported function in src/', () => {
    const found = findViolations(sourcesUnder('src'));
    assert.deepEqual(
      found.map((v) => `${v.at} ${v.name}: ${v.problem}`),
      [],
    );
  });

  it('reports a method that takes the caller’s tx without the suffix, and a suffix without the tx', () => {
    const source = [
      "import type { Tx, DbOrTx } from '../db/client.js';",
      'export class Orders {',
      '  async markPaid(tx: Tx, id: string) {}',
      '  async markPaidInTx(tx: Tx, id: string) {}',
      '  async countInTx(db: DbOrTx) {}',
      '  async count(db: DbOrTx) {}',
      '  private async lock(tx: Tx, id: string) {}',
      '  #unlock(tx: Tx) {}',
      '}',
      'export async function storeAll(tx: Tx) {}',
      'async function helper(tx: Tx) {}',
      'const shared = (tx: Tx) => 1;',
      'export { shared };',
      'export const jobs = { send: async (tx: Tx) => {}, sendInTx(tx: Tx) {} };',
      'export interface Hooks { apply(tx: Tx): Promise<void>; refused?: (tx: Tx) => Promise<void> }',
      '',
    ].join('\n');
    const found = findViolations({ 'src/orders.ts': source });
    assert.deepEqual(
      found.map((v) => `${v.at} ${v.name}`),
      ['src/orders.ts:3 markPaid', 'src/orders.ts:5 countInTx', 'src/orders.ts:10 storeAll', 'src/orders.ts:12 shared', 'src/orders.ts:14 send', 'src/orders.ts:15 apply', 'src/orders.ts:15 refused'],
    );
  });
});
