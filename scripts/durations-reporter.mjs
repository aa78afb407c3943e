// A node --test reporter that records how long each test file took (its top-level tests),
// prints the slowest files at the end, and saves every file's time for the next run to start
// the slowest first (scripts/test.mjs orders by it). Output: a short summary on its stream.
import fs from 'node:fs';
import path from 'node:path';
import { sourceOf } from './build-tests.mjs';

export const DURATIONS_FILE = path.join('node_modules', '.cache', 'onehour-test-durations.json');

export default async function* durations(source) {
  const byFile = new Map();
  let saved = {};
  try {
    saved = JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8'));
  } catch {
    /* first run */
  }
  // Saved as each file's results come, not only at the end: the runner's --test-force-exit ends
  // the process as soon as the last test is done, before a reporter's last step would run.
  const save = () => {
    for (const [file, ms] of byFile) saved[file] = Math.round(ms);
    fs.mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
    fs.writeFileSync(DURATIONS_FILE, JSON.stringify(saved, null, 1));
  };
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      // Compiled test files (scripts/build-tests.mjs) are recorded under their sources' names.
      const buildDir = process.env.ONEHOUR_TEST_BUILD_DIR;
      const file = buildDir ? sourceOf(buildDir, event.data.file) : path.relative(process.cwd(), event.data.file);
      byFile.set(file, (byFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
      save();
    }
  }
  if (byFile.size === 0) return;
  save();
  const slowest = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 10);
  yield `\nSlowest test files (this run):\n${slowest.map(([f, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${f}`).join('\n')}\n`;
}
