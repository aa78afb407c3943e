import { PGlite } from '@electric-sql/pglite';
const r = () => Math.round(process.memoryUsage().rss/1048576);
console.log('start', r());
const db = await PGlite.create({ dataDir: '/tmp/memtest-pg' });
console.log('after create', r());
await db.query('select 1');
console.log('after query', r());
