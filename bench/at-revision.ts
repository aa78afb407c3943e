// A source file as it was at an earlier commit, imported beside today's, so a benchmark can print
// the figures before and after a change in the same run (same machine, same load) without keeping
// a copy of the old code in the tree. The file must not import other project files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function importAtRevision<T>(revision: string, file: string): Promise<T> {
  const text = execFileSync('git', ['show', `${revision}:${file}`], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (/^import .* from '\.{1,2}\//m.test(text)) throw new Error(`${file} at ${revision} imports project files: it cannot be loaded on its own`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-at-revision-'));
  const copy = path.join(dir, `${revision.slice(0, 12)}-${path.basename(file)}`);
  fs.writeFileSync(copy, text);
  return (await import(pathToFileURL(copy).href)) as T;
}
