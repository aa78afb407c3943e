// Demo catalog and storefront: a course business selling its courses (from the learning
// seed's ctx.shared.courses when present), two downloads, a membership, a bundle, coupons,
// an order bump, an upsell, and a sales page built from blocks.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Actor } from '../../actor.js';
import type { App } from '../../app.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import type { Price, ProductDetail } from './index.js';

export interface DemoCatalog {
  courses: { product: ProductDetail; once: Price; plan: Price | null }[];
  /** the course the store leads with (its sales page, bump and upsell) */
  flagship: { product: ProductDetail; once: Price; plan: Price | null };
  checklist: { product: ProductDetail; price: Price };
  swipeFile: { product: ProductDetail; price: Price };
  membership: { product: ProductDetail; monthly: Price; yearly: Price };
  bundle: { product: ProductDetail; price: Price };
  bumpId: string;
  upsellId: string;
  coupons: { code: string; id: string; percentOff: number | null; amountOff: number | null; from: number; to: number }[];
}

/** A one-page PDF written by hand, so the demo's downloads are real files. */
export function demoPdf(title: string, lines: string[]): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const text = `BT /F1 20 Tf 72 720 Td (${esc(title)}) Tj /F1 12 Tf ${lines.map((l) => `0 -22 Td (${esc(l)}) Tj`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const FALLBACK_COURSES = [
  { title: 'Launch Your First Online Course', slug: 'launch-your-first-course' },
  { title: 'Email List Foundations', slug: 'email-list-foundations' },
  { title: 'Pricing for Creators', slug: 'pricing-for-creators' },
];

const COURSE_COPY: Record<string, { summary: string; once: number; plan: [number, number] | null }> = {
  'launch-your-first-course': { summary: 'From idea to first 50 students in six weeks, with a launch plan you can reuse.', once: 29700, plan: [3, 10900] },
  'email-list-foundations': { summary: 'Build the list that sells for you: lead magnet, welcome sequence, weekly letter.', once: 14900, plan: null },
  'pricing-for-creators': { summary: 'Price your offers by outcome, add payment plans, and raise prices without losing buyers.', once: 9900, plan: null },
};

export async function seedCatalogDemo(app: App, ctx: DemoContext): Promise<DemoCatalog> {
  const { catalog } = app;
  // Setting up the demo shop is the demo loader's doing, not something the owner did today:
  // credited to the system, so the owner's involvement and the Activity list stay true.
  const owner: Actor = { kind: 'system', label: 'demo data' };
  const learned = (ctx.shared.courses as { id: string; title: string; slug: string }[] | undefined) ?? null;
  const courseList = learned?.length ? learned : FALLBACK_COURSES.map((c) => ({ ...c, id: randomUUID() }));

  const courses: DemoCatalog['courses'] = [];
  for (const [i, c] of courseList.entries()) {
    const copy = COURSE_COPY[c.slug] ?? { summary: `The ${c.title} course.`, once: 12900, plan: null };
    const product = await catalog.createProduct({ slug: c.slug, kind: 'course', name: c.title, summary: copy.summary, courseId: c.id, position: i, imageUrl: null }, owner);
    const once = await catalog.createPrice(product.id, { type: 'one_time', currency: 'usd', amount: copy.once, label: copy.plan ? 'Pay once' : '' }, owner);
    const plan = copy.plan ? await catalog.createPrice(product.id, { type: 'payment_plan', currency: 'usd', amount: copy.plan[1], interval: 'month', instalments: copy.plan[0], label: 'Spread it out' }, owner) : null;
    courses.push({ product: await catalog.updateProduct(product.id, { status: 'published' }, owner), once, plan });
  }

  const checklistProduct = await catalog.createProduct({ slug: 'course-launch-checklist', kind: 'download', name: 'Course Launch Checklist', summary: 'The 60 things to do before, during and after a launch, on two pages.', position: 10 }, owner);
  const checklistPrice = await catalog.createPrice(checklistProduct.id, { type: 'one_time', currency: 'usd', amount: 1900 }, owner);
  await catalog.addFile(
    checklistProduct.id,
    { name: 'course-launch-checklist.pdf', contentType: 'application/pdf', body: Readable.from([demoPdf('Course Launch Checklist', ['6 weeks out: pick the launch date and the offer.', '4 weeks out: warm up the list with three useful emails.', 'Launch week: open cart, two reminders, close cart.', 'After: survey buyers and non-buyers.'])]) },
    owner,
  );
  const checklist = { product: await catalog.updateProduct(checklistProduct.id, { status: 'published' }, owner), price: checklistPrice };

  const swipeProduct = await catalog.createProduct({ slug: 'sales-page-swipe-file', kind: 'download', name: 'Sales Page Swipe File', summary: '14 sales pages that converted, annotated line by line.', position: 11 }, owner);
  const swipePrice = await catalog.createPrice(swipeProduct.id, { type: 'one_time', currency: 'usd', amount: 4900 }, owner);
  await catalog.addFile(
    swipeProduct.id,
    { name: 'sales-page-swipe-file.pdf', contentType: 'application/pdf', body: Readable.from([demoPdf('Sales Page Swipe File', ['1. Lead with the outcome, not the curriculum.', '2. Show the price once the value is clear.', '3. Answer the five objections in an FAQ.'])]) },
    owner,
  );
  const swipeFile = { product: await catalog.updateProduct(swipeProduct.id, { status: 'published' }, owner), price: swipePrice };

  const everything = [...courses.map((c) => c.product.id), checklist.product.id, swipeFile.product.id];
  const membershipProduct = await catalog.createProduct({ slug: 'creator-circle', kind: 'membership', name: 'Creator Circle', summary: 'Every course and template, new workshops each month, while you are a member.', position: 20, includes: everything }, owner);
  const monthly = await catalog.createPrice(membershipProduct.id, { type: 'subscription', currency: 'usd', amount: 2900, interval: 'month', trialDays: 7, label: 'Monthly' }, owner);
  const yearly = await catalog.createPrice(membershipProduct.id, { type: 'subscription', currency: 'usd', amount: 29000, interval: 'year', label: 'Yearly: two months free' }, owner);
  const membership = { product: await catalog.updateProduct(membershipProduct.id, { status: 'published' }, owner), monthly, yearly };

  const bundleProduct = await catalog.createProduct({ slug: 'complete-creator-kit', kind: 'bundle', name: 'The Complete Creator Kit', summary: 'All courses and templates, yours for good, for less than the courses alone.', position: 21, includes: everything }, owner);
  const bundlePrice = await catalog.createPrice(bundleProduct.id, { type: 'one_time', currency: 'usd', amount: 39900, label: 'Best value' }, owner);
  const bundle = { product: await catalog.updateProduct(bundleProduct.id, { status: 'published' }, owner), price: bundlePrice };

  const flagship = courses.find((c) => c.product.slug === 'launch-your-first-course') ?? courses[0]!;
  const bump = await catalog.createOffer({ kind: 'bump', productId: flagship.product.id, offerPriceId: checklist.price.id, amount: 900, headline: 'the Course Launch Checklist', body: 'Every step on two pages. Normally $19.' }, owner);
  const upsell = await catalog.createOffer({ kind: 'upsell', productId: flagship.product.id, offerPriceId: swipeFile.price.id, amount: 2900, headline: 'Write your sales page in an afternoon', body: 'Fourteen sales pages that converted, annotated line by line, for $29 instead of $49 — only on this page.' }, owner);

  const day = (n: number) => new Date(ctx.now.getTime() - n * DAY_MS);
  const couponDefs = [
    { code: 'LAUNCH20', kind: 'percent' as const, percentOff: 20, expiresAt: day(300), from: 330, to: 300 },
    { code: 'BLACKFRIDAY', kind: 'percent' as const, percentOff: 30, expiresAt: day(110), from: 116, to: 110 },
    { code: 'FRIENDS25', kind: 'fixed' as const, amountOff: 2500, currency: 'usd', maxRedemptions: 50, from: 200, to: 0 },
    { code: 'SPRING15', kind: 'percent' as const, percentOff: 15, expiresAt: day(-14), from: 20, to: 0, productIds: courses.map((c) => c.product.id) },
  ];
  const coupons: DemoCatalog['coupons'] = [];
  for (const d of couponDefs) {
    const c = await catalog.createCoupon({ ...d }, owner);
    coupons.push({ code: c.code, id: c.id, percentOff: c.percentOff, amountOff: c.amountOff, from: d.from, to: d.to });
  }

  await app.site.updateSettings({ name: 'The Creator Lab', tagline: 'Courses and tools to build an online course business that runs without you.' }, owner);
  const page = await app.site.createPage({ slug: flagship.product.slug, kind: 'sales', productId: flagship.product.id }, owner);
  await app.site.updatePage(
    page.id,
    {
      draft: {
        title: `${flagship.product.name} — from idea to 50 students`,
        description: flagship.product.summary,
        blocks: [
          { id: 'hero', type: 'hero', heading: 'Launch your first online course in six weeks', subheading: 'A step-by-step plan, templates and a community, so your course sells while you sleep.', ctaLabel: 'Start today', imageUrl: '/assets/demo/course-hero.svg' },
          { id: 'press', type: 'logos', heading: 'Students come from', items: [{ name: 'Skillshare' }, { name: 'Etsy' }, { name: 'Substack' }, { name: 'YouTube' }, { name: 'Patreon' }] },
          { id: 'numbers', type: 'stats', items: [{ value: '4,200+', label: 'students' }, { value: '4.9★', label: 'average rating' }, { value: '6', label: 'weeks to launch' }] },
          { id: 'intro', type: 'richText', html: '<p>Most first courses never launch: the content grows, the launch date slips, and the audience never hears about it. This course turns the launch into a <strong>six-week checklist</strong> you can follow an hour a day.</p>' },
          { id: 'video', type: 'media', kind: 'video', url: 'https://www.youtube.com/watch?v=aqz-KE-bpKQ', caption: 'Watch lesson one for free' },
          { id: 'learn', type: 'bullets', heading: 'What you will do', items: ['Pick a course idea people already ask you about', 'Pre-sell it to your first ten buyers', 'Record lessons without a studio', 'Launch with five emails and one sales page', 'Turn the launch into an evergreen funnel'] },
          { id: 'quote1', type: 'testimonial', quote: 'I sold 43 seats in my first launch, to a list of 600 people. The email templates alone paid for the course.', author: 'Priya N.', role: 'Watercolour teacher' },
          { id: 'pricing', type: 'pricing', heading: 'Join the next cohort', ctaLabel: 'Enroll now' },
          { id: 'guarantee', type: 'guarantee', days: 30, text: 'Do the first two weeks of work. If you do not have a validated course idea and a launch date, write to us within 30 days for a full refund.' },
          { id: 'faq', type: 'faq', heading: 'Questions', items: [
            { question: 'Do I need an audience already?', answer: 'No. Week one is about finding your first 100 readers; many students start from zero.' },
            { question: 'How long do I have access?', answer: 'For good, including future updates.' },
            { question: 'Can I pay in instalments?', answer: 'Yes: three monthly payments, with full access from day one.' },
          ] },
          { id: 'optin', type: 'optin', heading: 'Not ready yet? Get the free pricing guide', text: 'One practical page on pricing your course, plus the weekly letter.', buttonLabel: 'Send me the guide', action: '/forms/pricing-guide' },
        ],
      },
    },
    owner,
  );
  await app.site.publishPage(page.id, owner);

  return { courses, flagship, checklist, swipeFile, membership, bundle, bumpId: bump.id, upsellId: upsell.id, coupons };
}
