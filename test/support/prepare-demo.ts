// `node --import tsx test/support/prepare-demo.ts <pglite|pg>`: builds the demo snapshot of this
// checkout for one backend (see demo-snapshot.ts). scripts/test.mjs runs it before the test files.
import { prepareDemoSnapshot } from './demo-snapshot.js';

const backend = process.argv[2];
if (backend !== 'pglite' && backend !== 'pg') {
  console.error('usage: prepare-demo.ts <pglite|pg>');
  process.exit(2);
}
const started = Date.now();
await prepareDemoSnapshot(backend);
console.log(`demo snapshot (${backend}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
