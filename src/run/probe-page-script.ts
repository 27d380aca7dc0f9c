/**
 * The probe page's progress, read inside the browser: one script for every driver (WebdriverIO's executeAsync,
 * Playwright's evaluate). Kept as source text so that no transpiler helper (`__name`) ends up in the page.
 *
 * `(ms, finish) => void`: calls `finish({complete, done, total, foreign?})` as soon as the page sets
 * `data-complete` (a MutationObserver), or after `ms` milliseconds. `foreign` is set when the browser finished
 * loading a page that is not the probe page (a gateway's error page, a captive portal): its title or first words.
 */
export const PROBE_PAGE_PROGRESS = `(ms, finish) => {
  const progress = () => {
    const d = (document.body && document.body.dataset) || {};
    const foreign =
      document.readyState === 'complete' && d.probesTotal === undefined
        ? (document.title || (document.body && document.body.textContent) || document.location.href).trim().slice(0, 80)
        : undefined;
    const p = { complete: d.complete === 'true', done: Number(d.probesDone || 0), total: Number(d.probesTotal || 0) };
    if (foreign !== undefined) p.foreign = foreign;
    return p;
  };
  const p = progress();
  if (p.complete || p.foreign !== undefined || !document.body) {
    finish(p);
    return;
  }
  let timer;
  const observer = new MutationObserver(() => {
    if (progress().complete) end();
  });
  const end = () => {
    observer.disconnect();
    clearTimeout(timer);
    finish(progress());
  };
  timer = setTimeout(end, ms);
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-complete'] });
}`;

/** The script as a WebDriver executeAsync body (its callback is the last argument). */
export const PROBE_PAGE_PROGRESS_WEBDRIVER = `(${PROBE_PAGE_PROGRESS})(arguments[0], arguments[arguments.length - 1]);`;

/** The script as an expression that evaluates to a promise of the progress (Playwright's `page.evaluate`). */
export function probePageProgressExpression(waitMs: number): string {
  return `new Promise((finish) => (${PROBE_PAGE_PROGRESS})(${Math.max(0, Math.floor(waitMs))}, finish))`;
}
