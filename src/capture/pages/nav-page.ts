/**
 * The navigation page (`nav` probe): the page a handset opens. Its script loads every other planned probe with
 * no further help, shows progress, and sets `data-complete="true"` on `<body>` once every load has finished or
 * failed. It only reports; the server alone decides whether a run is complete.
 */
import type { PlannedProbe } from '../../model/capture.ts';
import { escapeHtml, jsonForScript, page } from './html.ts';

/** How long the page waits for any one probe before counting it as failed. */
export const PROBE_TIMEOUT_MS = 20_000;

/**
 * What the page does for each probe, derived from the plan:
 * - `self`: the navigation that loaded this page;
 * - `image`: an `<img>`; `fetch`: a CORS fetch; `frame`: an iframe that reports back by postMessage;
 * - `chain`: fetches made one after another (fetch, then same-connection, then new-connection), so the second
 *   reuses the idle connection of the first and the third follows a response that closed its connection;
 * - `reported`: loaded by a frame (the canary, by its partner page), which reports it.
 */
export interface NavSchedule {
  self: string;
  images: string[];
  fetches: string[];
  frames: string[];
  chains: string[][];
  reported: string[];
}

export function navSchedule(plan: readonly PlannedProbe[]): NavSchedule {
  const schedule: NavSchedule = {
    self: 'nav',
    images: [],
    fetches: [],
    frames: [],
    chains: [],
    reported: [],
  };
  const self = plan.find((p) => p.kind === 'navigation' && p.role === 'third-party' && !p.tls);
  if (self) schedule.self = self.probe;
  for (const tls of [false, true]) {
    const onListener = plan.filter(
      (p) => p.tls === tls && p.listener === (tls ? 'https' : 'main') && p.family !== 6,
    );
    const first = onListener.find((p) => p.kind === 'fetch' && p.role === 'third-party');
    const same = onListener.find((p) => p.kind === 'same-connection');
    const fresh = onListener.find((p) => p.kind === 'new-connection');
    const chain = [first, same, fresh].filter((p): p is PlannedProbe => p !== undefined).map((p) => p.probe);
    if (chain.length > 0) schedule.chains.push(chain);
  }
  const chained = new Set(schedule.chains.flat());
  for (const p of plan) {
    if (p.probe === schedule.self || chained.has(p.probe)) continue;
    if (p.kind === 'navigation') schedule.frames.push(p.probe);
    else if (p.kind === 'image') schedule.images.push(p.probe);
    else if (p.kind === 'canary') schedule.reported.push(p.probe);
    else schedule.fetches.push(p.probe);
  }
  return schedule;
}

const NAV_SCRIPT = `(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('hg-config').textContent);
  var body = document.body;
  var byId = {}, state = {}, total = cfg.plan.length, done = 0, failed = 0;
  cfg.plan.forEach(function (p) { byId[p.probe] = p; state[p.probe] = 'pending'; });
  var holder = document.getElementById('hg-loads');
  var counter = document.getElementById('hg-done');
  var status = document.getElementById('hg-status');
  function originOf(url) { var m = /^[a-z]+:\\/\\/[^\\/]+/i.exec(url); return m ? m[0] : ''; }
  function finish(probe, ok) {
    if (state[probe] !== 'pending') return;
    state[probe] = ok ? 'ok' : 'error';
    done++;
    if (!ok) failed++;
    var li = document.getElementById('hg-probe-' + probe);
    if (li) { li.setAttribute('data-state', state[probe]); li.lastChild.textContent = ok ? ' loaded' : ' failed'; }
    body.setAttribute('data-probes-done', String(done));
    body.setAttribute('data-probes-failed', String(failed));
    counter.textContent = String(done);
    if (done === total) {
      status.textContent = 'Finished: ' + (total - failed) + ' of ' + total + ' probes loaded, ' + failed + ' failed.';
      body.setAttribute('data-complete', 'true');
    }
  }
  function deadline(probe) { setTimeout(function () { finish(probe, false); }, cfg.timeoutMs); }
  function load(probe) {
    deadline(probe);
    var init = { cache: 'no-store', credentials: 'omit', mode: 'cors' };
    if (typeof AbortController === 'function') {
      var ac = new AbortController();
      setTimeout(function () { ac.abort(); }, cfg.timeoutMs);
      init.signal = ac.signal;
    }
    return fetch(byId[probe].url, init).then(function (r) {
      return r.text().then(function () { finish(probe, r.ok); });
    }).then(null, function () { finish(probe, false); });
  }
  function chain(ids) {
    return ids.reduce(function (p, id) { return p.then(function () { return load(id); }); }, Promise.resolve());
  }
  function image(probe) {
    deadline(probe);
    var img = new Image();
    img.onload = function () { finish(probe, true); };
    img.onerror = function () { finish(probe, false); };
    img.alt = '';
    img.width = 1;
    img.height = 1;
    img.src = byId[probe].url;
    holder.appendChild(img);
  }
  function frame(probe) {
    deadline(probe);
    var f = document.createElement('iframe');
    f.title = probe;
    // A frame whose page never reports (a gateway's error page, an unreachable IPv6 path) has failed once it
    // has loaded and stayed silent a moment: no need to wait for the whole deadline.
    f.onload = function () { setTimeout(function () { finish(probe, false); }, 2000); };
    f.src = byId[probe].url;
    holder.appendChild(f);
  }
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!d || d.hg !== cfg.token || typeof d.probe !== 'string' || !byId[d.probe]) return;
    if (e.origin !== originOf(byId[d.probe].url)) return;
    finish(d.probe, d.ok === true);
  });
  var s = cfg.schedule;
  finish(s.self, true);
  s.reported.forEach(deadline);
  s.frames.forEach(frame);
  s.images.forEach(image);
  s.fetches.forEach(load);
  s.chains.forEach(chain);
})();`;

export function navPage(token: string, plan: readonly PlannedProbe[]): string {
  const schedule = navSchedule(plan);
  const config = { token, plan, schedule, timeoutMs: PROBE_TIMEOUT_MS };
  const items = plan
    .map(
      (p) =>
        `<li id="hg-probe-${escapeHtml(p.probe)}" data-probe="${escapeHtml(p.probe)}" data-state="pending">` +
        `<code>${escapeHtml(p.probe)}</code><span> pending</span></li>`,
    )
    .join('\n');
  const body = `<h1>headerguard</h1>
<p>This page checks what your mobile network adds to web requests. Keep it open until it says it has finished.</p>
<p id="hg-status" role="status">Loading probes: <span id="hg-done">0</span> of ${plan.length} done…</p>
<ol id="hg-probes">
${items}
</ol>
<div id="hg-loads" aria-hidden="true"></div>
<script id="hg-config" type="application/json">${jsonForScript(config)}</script>
<script>${NAV_SCRIPT}</script>`;
  return page(
    'headerguard probe',
    ` data-complete="false" data-probes-done="0" data-probes-failed="0" data-probes-total="${plan.length}"`,
    body,
  );
}
