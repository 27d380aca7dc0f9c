/**
 * Debian's Chromium and its matching driver (scripts/install-system-deps.sh): nothing is downloaded at run time.
 */
export const CHROMIUM = process.env.HEADERGUARD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMEDRIVER = process.env.CHROMEDRIVER_PATH ?? '/usr/bin/chromedriver';

/** The local probe hosts (`probe.localhost`, `partner.localhost`) on 127.0.0.1 only (see CHROMIUM_FLAGS). */
const LOCAL_HOST_RULES = 'MAP *.localhost 127.0.0.1';

/**
 * Flags for a headless Chromium on a closed network (docs/suite.md, "Chromium"): without the
 * background-networking ones Chromium keeps trying to reach Google's hosts; the last two stop calls the others
 * don't.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-quic',
  '--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
  '--component-updater=url-source=http://127.0.0.1:9/',
  '--gaia-url=http://127.0.0.1:9/',
  // The local probe hosts (`probe.localhost`, `partner.localhost`) resolve to 127.0.0.1 only, as in the bearer
  // simulator: the IPv4 probes stay on IPv4 (Chromium would otherwise try ::1 first), the IPv6 ones go to [::1].
  `--host-resolver-rules=${LOCAL_HOST_RULES}`,
];

/**
 * `flags` with more host-resolver rules: one `--host-resolver-rules` switch holding the local rule and these
 * (Chromium keeps only the last of a repeated switch, so two would drop one).
 */
export function withHostRules(flags: readonly string[], rules: readonly string[]): string[] {
  if (rules.length === 0) return [...flags];
  const merged = `--host-resolver-rules=${[...rules, LOCAL_HOST_RULES].join(', ')}`;
  return [...flags.filter((f) => !f.startsWith('--host-resolver-rules=')), merged];
}
