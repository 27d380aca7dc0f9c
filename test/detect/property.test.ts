import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { evaluate, type ScanCapture } from '../../src/detect/index.ts';
import { base64Runs, digitRuns, percentDecode } from '../../src/detect/match.ts';
import type { HeaderPair } from '../../src/model/capture.ts';
import { BROWSER, IDENTITY, O2 } from './helpers.ts';

/** A random valid GB mobile number (libphonenumber says MOBILE), as its national significant number. */
const gbMobileNsn = fc
  .integer({ min: 0, max: 999_999_999 })
  .map((n) => `7${String(n).padStart(9, '0')}`)
  .filter((nsn) => {
    const p = parsePhoneNumberFromString(`+44${nsn}`);
    return p?.isValid() === true && p.getType() === 'MOBILE';
  });

/** Every form the issue lists, for one number. */
function listedForms(nsn: string): [string, string][] {
  const e164 = `44${nsn}`;
  const plain: [string, string][] = [
    ['E.164', e164],
    ['E.164 with +', `+${e164}`],
    ['00-prefixed', `00${e164}`],
    ['national', `0${nsn}`],
    ['NSN', nsn],
    ['spaced', `+44 ${nsn.slice(0, 4)} ${nsn.slice(4)}`],
    ['dashed', `0${nsn.slice(0, 4)}-${nsn.slice(4, 7)}-${nsn.slice(7)}`],
    ['dotted', `0${nsn.slice(0, 4)}.${nsn.slice(4)}`],
    ['parenthesised', `(0${nsn.slice(0, 4)}) ${nsn.slice(4)}`],
  ];
  const out: [string, string][] = [];
  for (const [label, form] of plain) {
    out.push([label, form]);
    out.push([`${label}, URL-encoded`, encodeURIComponent(form)]);
    out.push([`${label}, in a compound value`, `a=1;n=${form};z=2`]);
    out.push([`${label}, base64`, Buffer.from(form).toString('base64')]);
    out.push([`${label}, base64url`, Buffer.from(form).toString('base64url')]);
    out.push([`${label}, base64 of a compound`, Buffer.from(`{"id":"${form}","t":1}`).toString('base64')]);
  }
  for (const [label, form] of plain) {
    out.push([`${label}, hex`, Buffer.from(form).toString('hex')]);
    out.push([`${label}, HEX`, Buffer.from(form).toString('hex').toUpperCase()]);
  }
  for (const [label, form] of plain.slice(0, 5)) {
    for (const algo of ['md5', 'sha1', 'sha256']) {
      const d = createHash(algo).update(form).digest();
      out.push([`${label}, ${algo} hex`, d.toString('hex')]);
      out.push([`${label}, ${algo} HEX`, d.toString('hex').toUpperCase()]);
      out.push([`${label}, ${algo} base64`, d.toString('base64')]);
      out.push([`${label}, ${algo} base64url`, d.toString('base64url')]);
    }
  }
  return out;
}

function capture(headers: HeaderPair[], tls = false, probe = tls ? 'nav-tls' : 'nav'): ScanCapture {
  const c: ScanCapture = {
    probe,
    role: 'third-party',
    tls,
    host: 'probe.localhost',
    url: `/t/tok/${probe}`,
    headers,
  };
  if (!tls) c.twin = 'nav-tls';
  return c;
}

describe('detect: properties (fast-check)', () => {
  const text = fc.string({
    unit: fc.constantFrom(...'0123456789 .-()+aZ_/=;,\u00a0'.split('')),
    maxLength: 60,
  });

  it('the hand-written digit-run scanner matches its regular expression', () => {
    fc.assert(
      fc.property(text, (s) => {
        assert.deepEqual(digitRuns(s, 1), s.match(/\+?\d(?:[ .\-()\u00a0]{0,2}\d)*/g) ?? []);
      }),
      { numRuns: 300 },
    );
  });

  it('the hand-written base64-run scanner matches its regular expression', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 12 }), (s, min) => {
        const re = new RegExp(`(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{${min},}`, 'g');
        assert.deepEqual(base64Runs(s, min), s.match(re) ?? []);
      }),
      { numRuns: 300 },
    );
  });

  it('the percent-decoding scanner matches its regular expression', () => {
    const escaped = fc.string({ unit: fc.constantFrom(...'%%%0123456789aAfFgG z\u00e9\u{1F600}'.split('')) });
    fc.assert(
      fc.property(escaped, (s) => {
        const re = s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) =>
          String.fromCharCode(Number.parseInt(h, 16)),
        );
        assert.equal(percentDecode(s), re);
      }),
      { numRuns: 500 },
    );
  });

  it('the digit-run masking pattern matches its former form (a counted repeat, which overflowed on MiB values)', () => {
    fc.assert(
      fc.property(text, (s) => {
        const before = s.replace(/\+?\d(?:[\d .\-()]{4,}\d)/g, (run) => `<${run}>`);
        const after = s.replace(/\+?\d[\d .\-()]{4}[\d .\-()]*\d/g, (run) => `<${run}>`);
        assert.equal(after, before);
      }),
      { numRuns: 500 },
    );
  });

  it('evaluate never throws on arbitrary header names and values', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 400 });
    const header = fc.tuple(fc.oneof(anyText, fc.constantFrom('Cookie', 'x-msisdn', 'Via')), anyText);
    fc.assert(
      fc.property(fc.array(header, { maxLength: 8 }), fc.array(header, { maxLength: 4 }), (added, both) => {
        const http = capture([...BROWSER, ...both, ...added] as HeaderPair[]);
        const https = capture([...BROWSER, ...both] as HeaderPair[], true);
        const j = evaluate({ policy: O2, identity: IDENTITY, captures: [http, https] });
        assert.ok(['pass', 'fail', 'broken'].includes(j.verdict));
      }),
      { numRuns: 300 },
    );
  });

  it('finds every listed form of a random valid GB mobile number', () => {
    fc.assert(
      fc.property(gbMobileNsn, (nsn) => {
        const identity = { msisdn: `44${nsn}` };
        for (const [label, form] of listedForms(nsn)) {
          const j = evaluate({ policy: O2, identity, captures: [capture([['X-Gw', form]])] });
          const hit = j.findings.find((f) => f.rule === 'identity-value');
          assert.ok(hit, `${label} not found`);
          assert.ok(!JSON.stringify(j).includes(nsn), `${label}: finding leaks the number`);
        }
      }),
      { numRuns: 200 },
    );
  });

  const version = fc.tuple(
    fc.integer({ min: 90, max: 140 }),
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 300 }),
  );
  const browserHeaders = fc
    .record({
      chrome: version,
      android: fc.integer({ min: 9, max: 15 }),
      build: fc.stringMatching(/^[A-Z]{2}[0-9][A-Z]\.[0-9]{6}\.[0-9]{3}$/),
      lang: fc.constantFrom(
        'en-GB,en;q=0.9',
        'en-US,en;q=0.9',
        'cy-GB,cy;q=0.9,en-GB;q=0.8',
        'pl-PL,pl;q=0.9',
      ),
      gaId: fc.integer({ min: 100_000_000, max: 2_147_483_647 }),
      ts: fc.integer({ min: 1_500_000_000, max: 1_900_000_000 }),
      etag: fc.stringMatching(/^[0-9a-f]{32}$/),
      session: fc.base64String({ minLength: 16, maxLength: 64 }),
      siteNumber: fc.integer({ min: 0, max: 999_999_999 }),
      dnt: fc.boolean(),
    })
    .map((r): HeaderPair[] => {
      const [major, buildNo, patch] = r.chrome;
      const h: HeaderPair[] = [
        ['Host', 'probe.localhost'],
        ['Connection', 'keep-alive'],
        [
          'User-Agent',
          `Mozilla/5.0 (Linux; Android ${r.android}; Pixel 7 Build/${r.build}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.${buildNo}.${patch} Mobile Safari/537.36`,
        ],
        ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
        ['Accept-Encoding', 'gzip, deflate'],
        ['Accept-Language', r.lang],
        [
          'Cookie',
          `_ga=GA1.2.${r.gaId}.${r.ts}; sid=${r.session}; n=447${String(r.siteNumber).padStart(9, '0')}`,
        ],
        ['If-None-Match', `"${r.etag}"`],
        ['If-Modified-Since', new Date(r.ts * 1000).toUTCString()],
      ];
      if (r.dnt) h.push(['DNT', '1']);
      return h;
    });

  it('passes random ordinary browser header sets (Via and X-Forwarded-For added over HTTP)', () => {
    fc.assert(
      fc.property(
        browserHeaders,
        gbMobileNsn,
        fc.integer({ min: 0, max: 9_999_999_999 }),
        fc.tuple(
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 1, max: 254 }),
        ),
        (browser, nsn, msin, [a, b, c]) => {
          // The site's own number in the cookie must not be the subscriber's (that would be a real leak).
          fc.pre(!browser.some(([, v]) => v.includes(`44${nsn}`)));
          const identity = {
            msisdn: `44${nsn}`,
            imsi: `23410${String(msin).padStart(10, '0')}`,
            imei: '356938035643809',
          };
          const http = capture([
            ...browser,
            ['Via', `1.1 gw-${a}.o2.co.uk`],
            ['X-Forwarded-For', `10.${a}.${b}.${c}`],
          ]);
          const j = evaluate({ policy: O2, identity, captures: [http, capture(browser, true)] });
          assert.deepEqual({ verdict: j.verdict, findings: j.findings }, { verdict: 'pass', findings: [] });
        },
      ),
      { numRuns: 200 },
    );
  });
});
