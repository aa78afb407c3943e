// Screenshots of each page theme on desktop and phone, for docs/brand.md:
//   node --import tsx scripts/brand-screenshots.ts
// Starts the app on an in-memory database, builds a sales page with every kind of block
// (two-column hero with an image, logos, numbers, testimonials, pricing, guarantee, FAQ),
// sets The Creator Lab's brand in each theme and has Chromium photograph the page.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { systemClock } from '../src/clock.js';
import { launchChromium } from '../test/support/browser.js';
import { OWNER, createTestApp, setupOwner } from '../test/support/harness.js';
import { ensureAdminBuilt } from '../test/support/browser.js';
import { DEMO_BRAND, logoMarkPng } from '../src/modules/brand/demo.js';
import { themes } from '../src/modules/brand/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// An argument writes them elsewhere (`… /tmp/shots png` for a review as PNG); the docs keep JPEG.
const out = process.argv[2] ?? path.join(root, 'docs/images');
const png = process.argv[3] === 'png';
const owner = { kind: 'owner' as const, id: '00000000-0000-4000-8000-000000000001' };
const port = 3900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${port}`;

ensureAdminBuilt();
const t = await createTestApp('pglite', { clock: systemClock, config: { PUBLIC_URL: base, SITE_CACHE_CHECK_MS: '0' } });
await t.server.listen({ port, host: '127.0.0.1' });
try {
  const product = await t.app.catalog.createProduct({ slug: 'launch-your-first-course', kind: 'download', name: 'Launch Your First Course', summary: 'From idea to 50 students in six weeks.' }, owner);
  await t.app.catalog.createPrice(product.id, { type: 'one_time', currency: 'usd', amount: 29700, label: 'Lifetime access' }, owner);
  await t.app.catalog.createPrice(product.id, { type: 'payment_plan', currency: 'usd', amount: 10900, interval: 'month', instalments: 3, label: 'Three payments' }, owner);
  await t.app.catalog.updateProduct(product.id, { status: 'published' }, owner);
  const page = await t.app.site.createPage({ slug: 'launch', kind: 'sales', productId: product.id }, owner);
  await t.app.site.updatePage(
    page.id,
    {
      draft: {
        title: 'Launch your first online course in six weeks',
        description: 'A step-by-step plan, templates and a community.',
        blocks: [
          { id: 'hero', type: 'hero', heading: 'Launch your first online course in six weeks', subheading: 'A step-by-step plan, templates and a community, so your course sells while you sleep.', ctaLabel: 'Start today', imageUrl: '/assets/demo/course-hero.svg' },
          { id: 'press', type: 'logos', heading: 'Students come from', items: [{ name: 'Skillshare' }, { name: 'Etsy' }, { name: 'Substack' }, { name: 'YouTube' }, { name: 'Patreon' }] },
          { id: 'numbers', type: 'stats', items: [{ value: '4,200+', label: 'students' }, { value: '4.9★', label: 'average rating' }, { value: '6', label: 'weeks to launch' }] },
          { id: 'learn', type: 'bullets', heading: 'What you will do', items: ['Pick a course idea people already ask you about', 'Pre-sell it to your first ten buyers', 'Record lessons without a studio', 'Launch with five emails and one sales page'] },
          { id: 'q1', type: 'testimonial', quote: 'I sold 43 seats in my first launch, to a list of 600 people. The email templates alone paid for the course.', author: 'Priya N.', role: 'Watercolour teacher' },
          { id: 'pricing', type: 'pricing', heading: 'Join the next cohort', ctaLabel: 'Enroll now' },
          { id: 'g', type: 'guarantee', days: 30, text: 'Do the first two weeks of work. If you do not have a validated idea and a launch date, write to us within 30 days for a full refund.' },
          { id: 'faq', type: 'faq', heading: 'Questions', items: [{ question: 'Do I need an audience already?', answer: 'No. Week one is about finding your first 100 readers.' }, { question: 'How long do I have access?', answer: 'For good, including future updates.' }] },
        ],
      },
    },
    owner,
  );
  await t.app.site.publishPage(page.id, owner);
  await t.app.brand.update(DEMO_BRAND, owner);
  await t.app.brand.uploadImage('logo', Readable.from([logoMarkPng(DEMO_BRAND.color, DEMO_BRAND.accent)]), owner);

  await setupOwner(t);
  const browser = await launchChromium();
  try {
    // The Settings page itself, with its live preview.
    const admin = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
    const tab = await admin.newPage();
    await tab.route(/^(?!http:\/\/127\.0\.0\.1:)/, (r) => r.abort());
    await tab.goto(`${base}/admin/settings`);
    await tab.getByLabel('Email').fill(OWNER.email);
    await tab.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByTestId('brand-preview').waitFor();
    const settingsShot = path.join(out, `settings-page.${png ? 'png' : 'jpg'}`);
    await tab.screenshot({ path: settingsShot, ...(png ? { type: 'png' as const } : { type: 'jpeg' as const, quality: 75 }) });
    console.log(settingsShot);
    await admin.close();

    for (const theme of themes) {
      await t.app.brand.update({ theme, font: theme === 'elegant' ? 'editorial' : theme === 'bold' ? 'humanist' : 'system' }, owner);
      for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
        const context = await browser.newContext({ viewport, deviceScaleFactor: 1, javaScriptEnabled: false });
        const tab = await context.newPage();
        await tab.route(/^(?!http:\/\/127\.0\.0\.1:)/, (r) => r.abort());
        await tab.goto(`${base}/p/launch`, { waitUntil: 'load' });
        const file = path.join(out, `theme-${theme}-${device}.${png ? 'png' : 'jpg'}`);
        await tab.screenshot({ path: file, fullPage: true, ...(png ? { type: 'png' as const } : { type: 'jpeg' as const, quality: 70 }) });
        console.log(file);
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
} finally {
  await t.close();
}
