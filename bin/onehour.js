#!/usr/bin/env node
// The `onehour` command. Runs the server compiled into one module (bin/server-bundle.js: built
// on first use and whenever a source changed), or the TypeScript sources through tsx when that
// cannot be built or ONEHOUR_FROM_SOURCE=1 is set (debugging with the sources' own line numbers).
import { pathToFileURL } from 'node:url';

let bundle = null;
if (process.env.ONEHOUR_FROM_SOURCE !== '1') {
  try {
    const { serverBundle } = await import('./server-bundle.js');
    bundle = (await serverBundle()).file;
  } catch (err) {
    console.warn(`! Running the TypeScript sources through tsx: the server bundle could not be built (${err instanceof Error ? err.message.split('\n')[0] : err}).`);
  }
}
if (bundle) {
  // Stack traces name the sources' files and lines, as under tsx.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
