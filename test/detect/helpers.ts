import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import type { ScanCapture } from '../../src/detect/index.ts';
import { resolvePolicies } from '../../src/detect/index.ts';
import type { HeaderPair } from '../../src/model/capture.ts';
import type { Finding, Identity } from '../../src/model/finding.ts';

/** Test identifiers: an Ofcom drama-range number, an O2 IMSI, a Luhn-valid IMEI. */
export const MSISDN = '447700900123';
export const IMSI = '234101234567890';
export const IMEI = '356938035643809';
export const IDENTITY: Identity = { msisdn: MSISDN, imsi: IMSI, imei: IMEI };

export const O2 = resolvePolicies(BUILTIN_POLICIES).get('o2')!;

export const BROWSER: HeaderPair[] = [
  ['Host', 'probe.localhost'],
  ['Connection', 'keep-alive'],
  ['Upgrade-Insecure-Requests', '1'],
  [
    'User-Agent',
    'Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/UQ1A.240205.004) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  ],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Encoding', 'gzip, deflate'],
  ['Accept-Language', 'en-GB,en;q=0.9'],
  ['Cookie', '_ga=GA1.2.1234567890.1700000000; visitor=447911123456'],
  ['If-None-Match', '"5d41402abc4b2a76b9719d911017c592"'],
];

/** A plain-HTTP third-party capture with its HTTPS twin; `extra` is what the network added over HTTP. */
export function pair(
  extra: HeaderPair[] = [],
  opts: { probe?: string; base?: HeaderPair[] } = {},
): ScanCapture[] {
  const probe = opts.probe ?? 'nav';
  const base = opts.base ?? BROWSER;
  return [
    {
      probe,
      role: 'third-party',
      tls: false,
      host: 'probe.localhost',
      url: `/t/tok/${probe}`,
      twin: `${probe}-tls`,
      headers: [...base, ...extra],
    },
    {
      probe: `${probe}-tls`,
      role: 'third-party',
      tls: true,
      host: 'probe.localhost:443',
      url: `/t/tok/${probe}`,
      headers: [...base],
    },
  ];
}

export function rules(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.rule);
}

/** No evidence, header or probe holds a whole identifier (in any plain form) or a whole digest. */
export function assertMasked(findings: readonly Finding[], secrets: readonly string[]): void {
  const text = JSON.stringify(findings);
  for (const s of secrets) {
    if (text.includes(s)) throw new Error(`findings leak a secret of ${s.length} chars`);
  }
}
