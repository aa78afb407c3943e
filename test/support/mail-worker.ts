// A real Onehour worker process for the crash and throttle tests: the app's own job
// workers against the database and SMTP server named in its environment (no HTTP).
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';

const app = await createApp({ config: loadConfig() });
await app.jobs.work(app);
process.stdout.write('ready\n');
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
