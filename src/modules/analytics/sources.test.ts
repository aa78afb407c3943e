import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifySource, DIRECT, tagOwnLink } from './sources.js';

const own = 'shop.example.com';

describe('source classification', () => {
  const table: [string, Parameters<typeof classifySource>[0], string, string][] = [
    ['no referrer, no tags', { ownHost: own }, 'direct', DIRECT],
    ['our own pages', { referrer: 'https://shop.example.com/p/bowls', ownHost: own }, 'direct', DIRECT],
    ['Google (any country)', { referrer: 'https://www.google.co.uk/', ownHost: own }, 'organic_search', 'Google'],
    ['Google (.de)', { referrer: 'https://google.de/search?q=x', ownHost: own }, 'organic_search', 'Google'],
    ['not Google: a look-alike', { referrer: 'https://google.evil-example.net/', ownHost: own }, 'referral', 'google.evil-example.net'],
    ['DuckDuckGo', { referrer: 'https://duckduckgo.com/', ownHost: own }, 'organic_search', 'DuckDuckGo'],
    ['Facebook (l.facebook.com)', { referrer: 'https://l.facebook.com/l.php', ownHost: own }, 'social', 'Facebook'],
    ['X via t.co', { referrer: 'https://t.co/abc', ownHost: own }, 'social', 'X (Twitter)'],
    ['Hacker News', { referrer: 'https://news.ycombinator.com/item?id=1', ownHost: own }, 'social', 'Hacker News'],
    ['Gmail web', { referrer: 'https://mail.google.com/', ownHost: own }, 'email', 'Gmail'],
    ['a blog', { referrer: 'https://www.potteryblog.example/post', ownHost: own }, 'referral', 'potteryblog.example'],
    ['paid search', { referrer: 'https://www.google.com/', utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'spring', ownHost: own }, 'paid', 'Google'],
    ['paid social', { utmSource: 'facebook', utmMedium: 'paid_social', ownHost: own }, 'paid', 'Facebook'],
    ['our newsletter', { utmSource: 'newsletter', utmMedium: 'email', utmCampaign: 'may-launch', ownHost: own }, 'email', 'newsletter'],
    ['an affiliate', { utmSource: 'clayqueen', utmMedium: 'affiliate', ownHost: own }, 'affiliate', 'clayqueen'],
    ['utm_source naming a search engine', { utmSource: 'bing', ownHost: own }, 'organic_search', 'Bing'],
    ['social medium tag', { utmSource: 'mastodon.art', utmMedium: 'social', ownHost: own }, 'social', 'mastodon.art'],
    ['?ref= a podcast', { ref: 'potterypod', ownHost: own }, 'referral', 'potterypod'],
    ['a broken referrer', { referrer: 'not a url', ownHost: own }, 'direct', DIRECT],
  ];
  for (const [what, input, channel, source] of table) {
    it(what, () => {
      const got = classifySource(input);
      assert.equal(got.channel, channel);
      assert.equal(got.source, source);
    });
  }

  it('keeps the campaign and cuts over-long tags', () => {
    const got = classifySource({ utmSource: 'x'.repeat(500), utmMedium: 'email', utmCampaign: 'c'.repeat(500), ownHost: own });
    assert.equal(got.campaign.length, 100);
    assert.equal(got.source.length, 100);
  });
});

describe('links in our own mail', () => {
  const site = 'https://shop.example.com';
  it('a link to this site carries its broadcast as an email campaign', () => {
    const tagged = tagOwnLink('https://shop.example.com/p/bowls?x=1#top', site, 'May launch');
    const u = new URL(tagged);
    assert.equal(u.searchParams.get('utm_medium'), 'email');
    assert.equal(u.searchParams.get('utm_campaign'), 'May launch');
    assert.equal(u.searchParams.get('x'), '1');
    assert.equal(u.hash, '#top');
    assert.deepEqual(classifySource({ utmSource: u.searchParams.get('utm_source'), utmMedium: u.searchParams.get('utm_medium'), utmCampaign: u.searchParams.get('utm_campaign'), ownHost: 'shop.example.com' }), { channel: 'email', source: 'newsletter', campaign: 'May launch' });
  });
  it('other sites and links already tagged are left alone', () => {
    assert.equal(tagOwnLink('https://other.example/', site, 'x'), 'https://other.example/');
    assert.equal(tagOwnLink('https://shop.example.com/?utm_source=ig', site, 'x'), 'https://shop.example.com/?utm_source=ig');
    assert.equal(tagOwnLink('not a url', site, 'x'), 'not a url');
  });
});
