import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Blocks } from '../../../web/public/site/blocks.js';
import { blocksSchema } from './blocks.js';

const render = (blocks: unknown[]) => renderToStaticMarkup(createElement(Blocks, { blocks: blocksSchema.parse(blocks), ctx: { prices: [] } }));

describe('social proof and the two-column hero', () => {
  it('renders a logos strip, numbers as a description list, and a hero with an image as two columns', () => {
    const html = render([
      { id: 'h', type: 'hero', heading: 'Launch', imageUrl: '/assets/demo/course-hero.svg' },
      { id: 'l', type: 'logos', heading: 'As featured in', items: [{ name: 'The Daily <Planet>' }, { name: 'Acme', imageUrl: 'https://cdn.example/acme.png' }] },
      { id: 's', type: 'stats', heading: 'In numbers', items: [{ value: '4,200+', label: 'students' }] },
    ]);
    assert.match(html, /class="block hero hero-split"/);
    assert.match(html, /<section class="block logos" aria-label="As featured in">/);
    assert.match(html, /The Daily &lt;Planet&gt;/);
    assert.match(html, /<img src="https:\/\/cdn\.example\/acme\.png" alt="Acme"/);
    assert.match(html, /<dt>students<\/dt><dd>4,200\+<\/dd>/);
    assert.doesNotMatch(render([{ id: 'h', type: 'hero', heading: 'No image' }]), /hero-split/);
  });

  it('refuses unsafe or oversized social proof', () => {
    const bad = [
      [{ id: 'l', type: 'logos', items: [{ name: 'X', imageUrl: 'javascript:alert(1)' }] }],
      [{ id: 'l', type: 'logos', items: [] }],
      [{ id: 's', type: 'stats', items: Array.from({ length: 7 }, () => ({ value: '1', label: 'x' })) }],
      [{ id: 's', type: 'stats', items: [{ value: 'x'.repeat(21), label: 'too long' }] }],
    ];
    for (const b of bad) assert.equal(blocksSchema.safeParse(b).success, false, JSON.stringify(b).slice(0, 60));
  });
});
