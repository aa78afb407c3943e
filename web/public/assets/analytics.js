// Onehour analytics: what only the browser sees. Page views are recorded by the server.
// Time on page, outbound links, video plays and goals (data-goal="name" or onehour("name", {props})).
// No cookie, no storage. text/plain so a beacon needs no CORS preflight.
(function (w, d) {
  var s = d.currentScript, api = (s && s.getAttribute('data-api')) || '/api/event', t0 = Date.now(), sent = 0;
  function send(name, props) {
    var b = JSON.stringify({ name: name, url: location.href, referrer: d.referrer || null, props: props });
    if (!(navigator.sendBeacon && navigator.sendBeacon(api, b))) fetch(api, { method: 'POST', body: b, keepalive: true });
  }
  w.onehour = send;
  d.addEventListener('visibilitychange', function () {
    if (d.visibilityState === 'hidden') { send('engagement', { ms: Date.now() - t0 - sent }); sent = Date.now() - t0; }
  });
  d.addEventListener('click', function (e) {
    var el = e.target && e.target.closest && e.target.closest('a,[data-goal]');
    if (!el) return;
    var g = el.getAttribute('data-goal');
    if (g) send(g, { text: (el.textContent || '').trim().slice(0, 80) });
    else if (el.host && el.host !== location.host) send('outbound', { url: el.href });
  }, true);
  d.addEventListener('play', function (e) {
    var v = e.target;
    if (!v.dataset || v.dataset.ohPlayed) return;
    v.dataset.ohPlayed = 1;
    send('video_play', { src: (v.currentSrc || '').split('?')[0] });
  }, true);
})(window, document);
