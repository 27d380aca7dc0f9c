/**
 * The script of the `/me` page, served inline and allowed by its hash (the page's CSP allows no other script).
 * Over plain HTTP it fetches `/me.json` over HTTPS from the page itself, where the network cannot add anything,
 * and marks each header that is absent from, or different over, HTTPS as injected: the rule
 * `unexpected-injection` would report it at a third-party host. Headers a browser sends differently by scheme or
 * request kind (the verdict engine's list, passed in the page data) are not compared; cookies are compared pair
 * by pair. It sets `data-compared` on `<body>` (`true`, `failed` or `tls`) and `data-injected` (a count).
 */
import { createHash } from 'node:crypto';

export const ME_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('me-data').textContent);
  var body = document.body;
  var status = document.getElementById('compare');
  if (data.tls) { body.dataset.compared = 'tls'; return; }
  if (!data.httpsUrl) { body.dataset.compared = 'failed'; status.textContent = 'Cannot compare: this host name has no HTTPS address here.'; return; }
  function varies(name) {
    return data.varying.indexOf(name) !== -1 || name.indexOf('sec-ch-') === 0 || name.charAt(0) === ':';
  }
  function cookiePairs(v) {
    return v.split(';').map(function (p) { return p.trim(); }).filter(Boolean);
  }
  fetch(data.httpsUrl, { cache: 'no-store', credentials: 'include' })
    .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(function (secure) {
      var overTls = {};
      secure.headers.forEach(function (h) { var k = h[0].toLowerCase(); (overTls[k] = overTls[k] || []).push(h[1]); });
      var injected = 0;
      data.headers.forEach(function (h, i) {
        var name = h[0].toLowerCase();
        if (varies(name)) return;
        var twins = overTls[name] || [];
        var note;
        if (name === 'cookie') {
          var known = [];
          twins.forEach(function (v) { known = known.concat(cookiePairs(v)); });
          var added = cookiePairs(h[1]).filter(function (p) { return known.indexOf(p) === -1; });
          if (added.length) note = added.length + ' cookie' + (added.length > 1 ? 's' : '') + ' not sent over HTTPS: added on the way';
        } else {
          var at = twins.indexOf(h[1]);
          if (at !== -1) twins.splice(at, 1);
          else note = twins.length ? 'Value differs over HTTPS: changed on the way' : 'Absent over HTTPS: added on the way';
        }
        if (!note) return;
        injected++;
        var row = document.querySelector('tr[data-index="' + i + '"]');
        row.classList.add('injected');
        row.dataset.injected = 'true';
        var cell = row.querySelector('td.note');
        var p = document.createElement('p');
        p.textContent = note + '. Rule: ';
        var rule = document.createElement('code');
        rule.textContent = 'unexpected-injection';
        p.appendChild(rule);
        cell.appendChild(p);
      });
      status.textContent = injected === 0
        ? 'Compared with the same request over HTTPS: your network added nothing you can see here.'
        : 'Compared with the same request over HTTPS: ' + injected + ' header' + (injected > 1 ? 's were' : ' was') + ' added or changed on the way (marked below).';
      body.dataset.injected = String(injected);
      body.dataset.compared = 'true';
    })
    .catch(function (e) {
      status.textContent = 'Could not fetch this page over HTTPS to compare (' + e.message + ').';
      body.dataset.compared = 'failed';
    });
})();`;

/** The CSP source that allows exactly this script. */
export const ME_SCRIPT_HASH = `'sha256-${createHash('sha256').update(ME_SCRIPT).digest('base64')}'`;
