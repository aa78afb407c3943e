// Where the project's own files are (migrations, the built admin, public assets, node_modules'
// cache): the nearest folder above this module that holds Onehour's package.json. Found by
// walking up rather than by a fixed '../..', because the same code also runs from the compiled
// server bundle under node_modules/.cache/onehour/server (see bin/onehour.js).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; ) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'onehour') return dir;
    } catch {
      /* no package.json here */
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Onehour's package.json not found above ${from}`);
    dir = up;
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
