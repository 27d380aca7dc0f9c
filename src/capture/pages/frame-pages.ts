/**
 * Pages loaded inside the navigation page's iframes: the HTTPS twin of the navigation, and the partner-host
 * pages. Each tells its parent it loaded (postMessage to the navigation page's origin only); a partner page
 * first makes the spoof-canary fetch: same-origin, carrying its own `x-up-calling-line-id`.
 */
import type { Canary, PlannedProbe } from '../../model/capture.ts';
import { escapeHtml, jsonForScript, page } from './html.ts';

const FRAME_SCRIPT = `(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('hg-config').textContent);
  var status = document.getElementById('hg-status');
  function tell(probe, ok) {
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ hg: cfg.token, probe: probe, ok: ok }, cfg.parentOrigin);
    }
  }
  tell(cfg.probe, true);
  if (!cfg.canary) return;
  var headers = {};
  headers[cfg.canary.header] = cfg.canary.value;
  fetch(cfg.canary.path, { headers: headers, cache: 'no-store', credentials: 'omit' }).then(function (r) {
    return r.text().then(function () {
      status.textContent = r.ok ? 'Canary sent.' : 'Canary refused.';
      tell(cfg.canary.probe, r.ok);
    });
  }).then(null, function () {
    status.textContent = 'Canary failed.';
    tell(cfg.canary.probe, false);
  });
})();`;

function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * The page for a framed navigation probe (`nav-tls`, `partner`, `partner-tls`). A partner page sends the
 * canary to the canary probe of its own scheme, by a same-origin path, so no CORS preflight is involved.
 */
export function framePage(
  token: string,
  plan: readonly PlannedProbe[],
  probe: PlannedProbe,
  canary: Canary,
): string {
  const nav = plan.find((p) => p.kind === 'navigation' && p.role === 'third-party' && !p.tls);
  const canaryProbe =
    probe.role === 'partner' ? plan.find((p) => p.kind === 'canary' && p.tls === probe.tls) : undefined;
  const config = {
    token,
    probe: probe.probe,
    parentOrigin: nav ? originOf(nav.url) : '*',
    canary: canaryProbe
      ? {
          probe: canaryProbe.probe,
          path: new URL(canaryProbe.url).pathname,
          header: canary.header,
          value: canary.value,
        }
      : null,
  };
  const what = canaryProbe
    ? `Partner page (${probe.tls ? 'HTTPS' : 'HTTP'}): sends a made-up <code>${escapeHtml(canary.header)}</code>.`
    : `${probe.family === 6 ? 'IPv6 ' : ''}${probe.tls ? 'HTTPS twin of the ' : ''}navigation probe.`;
  const body = `<p>${what}</p>
<p id="hg-status" role="status">Loaded.</p>
<script id="hg-config" type="application/json">${jsonForScript(config)}</script>
<script>${FRAME_SCRIPT}</script>`;
  return page(`headerguard ${probe.probe}`, ` data-probe="${escapeHtml(probe.probe)}"`, body);
}
