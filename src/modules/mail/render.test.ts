// Broadcast templates: Markdown and blocks with Liquid, compiled once and rendered per recipient.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBroadcast, type RecipientContext } from './render.js';

const footer = { businessName: 'Shop Example', postalAddress: '1 Main St, Springfield', reason: 'You subscribed to Weekly tips.' };

function recipient(name: string, fields: Record<string, unknown> = {}): RecipientContext {
  return {
    contact: { id: 'c1', email: 'ana@example.com', name, fields },
    unsubscribeUrl: 'https://shop.example/email/unsubscribe?token=t',
    preferencesUrl: 'https://shop.example/email/preferences?token=p',
    openUrl: null,
    clickUrl: null,
  };
}

describe('broadcast templates', () => {
  it('blocks take Liquid with double-quoted fallbacks, like Markdown does', () => {
    const compiled = compileBroadcast(
      {
        subject: 'Hi {{ contact.first_name | default: "friend" }}',
        preheader: '',
        format: 'blocks',
        body: '',
        blocks: [
          { type: 'heading', text: 'Hello {{ contact.first_name | default: "there" }}' },
          { type: 'text', markdown: 'Your city: **{{ contact.city | default: "somewhere" }}**' },
          { type: 'button', label: 'Read "the guide"', url: 'https://shop.example/guide' },
        ],
      },
      footer,
    );
    const named = compiled.render(recipient('Ana Lima', { city: 'Lisbon' }));
    assert.equal(named.subject, 'Hi Ana');
    assert.match(named.html, /<h2>Hello Ana<\/h2>/);
    assert.match(named.html, /<strong>Lisbon<\/strong>/);
    assert.match(named.html, /Read &#34;the guide&#34;/);
    const anonymous = compiled.render(recipient(''));
    assert.equal(anonymous.subject, 'Hi friend');
    assert.match(anonymous.html, /<h2>Hello there<\/h2>/);
    assert.match(anonymous.text, /Your city: somewhere/);
  });

  it("a contact's own values are escaped in the HTML part, whatever the block", () => {
    const compiled = compileBroadcast(
      { subject: 'News', preheader: '', format: 'blocks', body: '', blocks: [{ type: 'heading', text: 'For {{ contact.name }}' }, { type: 'text', markdown: 'Dear {{ contact.name }}' }] },
      footer,
    );
    const m = compiled.render(recipient('<script>alert(1)</script>'));
    assert.doesNotMatch(m.html, /<script>/);
    assert.match(m.html, /&lt;script&gt;/);
  });

  it('a button whose address is personalised is refused', () => {
    assert.throws(
      () => compileBroadcast({ subject: 'x', preheader: '', format: 'blocks', body: '', blocks: [{ type: 'button', label: 'Go', url: '{{ contact.website }}' }] }, footer),
      /cannot be personalised/,
    );
  });
});
