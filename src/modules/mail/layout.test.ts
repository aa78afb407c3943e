import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emailShell, neutralLook, textToHtml, type EmailLook } from './layout.js';
import { compileBroadcast } from './render.js';

const look: EmailLook = {
  ...neutralLook,
  businessName: 'Ana & Co <Studio> {{ evil }}',
  color: '#6d28d9',
  ink: '#ffffff',
  link: '#5b21b6',
  logoUrl: null,
  postalAddress: '1 Studio Lane\nBerlin',
  supportEmail: 'help@ana.example',
};

describe('the branded email layout', () => {
  it('is a table layout with inline styles that clients keep: a 600 px column, no <style>, no scripts', () => {
    const html = emailShell({ look, title: 'Your receipt', bodyHtml: '<p>Thanks!</p>' });
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1" \/>/);
    assert.match(html, /<table role="presentation"[^>]*style="max-width:600px;width:100%"/);
    assert.doesNotMatch(html, /<style|<script|class=/);
    assert.match(html, /<td bgcolor="#6d28d9" style="background:#6d28d9;/, 'the header band in the brand colour, for Outlook too');
  });

  it('escapes the business name and keeps Liquid out of it; shows the address and support email in the footer', () => {
    const html = emailShell({ look, title: 'x', bodyHtml: '' });
    assert.ok(html.includes('Ana &amp; Co &lt;Studio&gt; &#123;&#123; evil &#125;&#125;'));
    assert.doesNotMatch(html, /\{\{/);
    assert.match(html, /1 Studio Lane<br \/>Berlin/);
    assert.match(html, /mailto:help@ana\.example/);
  });

  it('shows the logo beside the name when there is one, and colours links with the readable brand colour', () => {
    const html = emailShell({ look: { ...look, logoUrl: 'https://shop.example/brand/logo?v=abc' }, title: 'x', bodyHtml: '<p><a href="https://shop.example/a">Open</a> <a style="color:red" href="https://x.example">kept</a></p>' });
    assert.match(html, /<img src="https:\/\/shop\.example\/brand\/logo\?v=abc" alt="" [^>]*\/><span[^>]*>Ana &amp; Co/);
    assert.match(html, /<a style="color:#5b21b6" href="https:\/\/shop\.example\/a">Open<\/a>/);
    assert.match(html, /<a style="color:red" href="https:\/\/x\.example">kept<\/a>/, 'a link with its own style keeps it');
  });

  it('turns a plain-text message into paragraphs with its addresses as links, escaping the rest', () => {
    const html = textToHtml('Hello <b>you</b>,\nhere is your link:\n\nhttps://shop.example/account/magic?token=abc&x=1\n\nThanks');
    assert.equal(html.match(/<p /g)?.length, 3);
    assert.match(html, /Hello &lt;b&gt;you&lt;\/b&gt;,<br \/>here is your link:/);
    assert.match(html, /<a href="https:\/\/shop\.example\/account\/magic\?token=abc&amp;x=1">/);
  });

  it('broadcasts use the same layout: brand colour, unsubscribe links and the postal address in the footer', () => {
    const compiled = compileBroadcast(
      { subject: 'Hi {{ contact.name }}', preheader: 'News', format: 'markdown', body: 'Hello **{{ contact.name }}**. [Read](https://ana.example/post)' },
      { businessName: 'Ana Studio', postalAddress: '1 Studio Lane', reason: 'You subscribed to Ana Studio.', look },
    );
    const m = compiled.render({ contact: { id: 'c', email: 'b@example.com', name: 'Bo', fields: {} }, unsubscribeUrl: 'https://u.example/u', preferencesUrl: 'https://u.example/p', openUrl: null, clickUrl: null });
    assert.match(m.html, /bgcolor="#6d28d9"/);
    assert.match(m.html, /Hello <strong>Bo<\/strong>/);
    assert.match(m.html, /href="https:\/\/u\.example\/u"/);
    assert.match(m.html, /<strong>Ana Studio<\/strong><br \/>1 Studio Lane/);
    assert.equal(m.html.match(/<html/g)?.length, 1, 'one document');
  });
});
