import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describeHit, findIdentifiers, needlesFor } from '../../src/detect/index.ts';
import { IMEI, IMSI, MSISDN } from './helpers.ts';

const needles = needlesFor({ msisdn: MSISDN, imsi: IMSI, imei: IMEI }, 'GB');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const hex = (s: string) => Buffer.from(s).toString('hex');
const digest = (algo: string, s: string, enc: 'hex' | 'base64' | 'base64url') =>
  createHash(algo).update(s).digest(enc);

function found(text: string): string[] {
  return findIdentifiers(text, needles).map(describeHit);
}

function assertFound(text: string, kind: string, formPart: string): void {
  const hits = found(text);
  assert.ok(
    hits.some((h) => h.startsWith(kind) && h.includes(formPart)),
    `expected ${kind} as "${formPart}", got ${JSON.stringify(hits)}`,
  );
  for (const h of hits) {
    assert.ok(!h.includes(MSISDN) && !h.includes(IMSI) && !h.includes(IMEI), 'hit description is masked');
  }
}

describe('detect/match: identifier forms', () => {
  const plain: [string, string, string][] = [
    ['E.164 without +', '447700900123', "E.164 without '+'"],
    ['E.164 with +', '+447700900123', "E.164 with '+'"],
    ['00-prefixed', '00447700900123', '00-prefixed'],
    ['national with trunk prefix', '07700900123', 'national with trunk prefix'],
    ['national significant number', '7700900123', 'national significant number'],
    ['spaced international', '+44 7700 900123', 'with separators'],
    ['dashed national', '07700-900-123', 'with separators'],
    ['dots and parentheses', '(07700) 900.123', 'with separators'],
    ['international with (0)', '+44 (0)7700 900123', 'trunk prefix'],
  ];
  for (const [label, text, form] of plain) {
    it(`finds the MSISDN as ${label}`, () => assertFound(`x=${text};`, 'MSISDN', form));
  }

  it('finds it URL-encoded, and double URL-encoded', () => {
    assertFound('n=%2B447700900123', 'MSISDN', 'URL-encoded');
    assertFound('n=%252B447700900123', 'MSISDN', 'URL-encoded → URL-encoded');
    assertFound('n=%2B44%207700%20900123', 'MSISDN', 'URL-encoded');
  });

  it('finds it inside compound values, cookies and rewritten headers', () => {
    assertFound('10.0.0.1,447700900123,GB', 'MSISDN', "E.164 without '+'");
    assertFound('a=1;msisdn=447700900123;b=2', 'MSISDN', "E.164 without '+'");
    assertFound('_ga=GA1.2.1.2; num=07700900123; theme=dark', 'MSISDN', 'national');
    assertFound('1.1 gw-lon-03.o2.co.uk (447700900123)', 'MSISDN', 'E.164');
    assertFound('Mozilla/5.0 (Linux) Chrome/120.0.6099.144 Mobile MSISDN/447700900123', 'MSISDN', 'E.164');
  });

  it('finds base64 (standard and URL-safe) of every plain form', () => {
    for (const form of ['447700900123', '+447700900123', '00447700900123', '07700900123', '7700900123']) {
      assertFound(b64(form), 'MSISDN', 'base64');
      assertFound(`t=${b64url(form)}`, 'MSISDN', 'base64');
    }
    assertFound(b64('+44 7700 900123'), 'MSISDN', 'with separators');
  });

  it('finds base64 of a compound string at any byte offset', () => {
    assertFound(b64('{"msisdn":"447700900123","ts":1700000000}'), 'MSISDN', 'base64');
    assertFound(b64url('user=x&n=+447700900123&z=1'), 'MSISDN', 'base64');
    assertFound(`id-${b64('msisdn=447700900123')}`, 'MSISDN', 'base64');
    assertFound(`/u/${b64('ab:447700900123')}`, 'MSISDN', 'base64');
  });

  it('composes decoders: URL-encoded base64, base64 of URL-encoded text', () => {
    assertFound(encodeURIComponent(b64('+447700900123')), 'MSISDN', 'base64');
    assertFound(b64('n=%2B447700900123'), 'MSISDN', 'base64 → URL-encoded');
  });

  it('finds hex of the ASCII digits in either case', () => {
    assertFound(hex('447700900123'), 'MSISDN', 'hex of the ASCII digits');
    assertFound(hex('+447700900123').toUpperCase(), 'MSISDN', 'hex of the ASCII digits');
    assertFound(`id=${hex('07700900123')}`, 'MSISDN', 'hex of the ASCII digits');
  });

  it('finds hex of the ASCII text of separated and compound forms', () => {
    assertFound(hex('07700 900123'), 'MSISDN', 'hex of the ASCII digits');
    assertFound(hex('+44 7700 900123'), 'MSISDN', "E.164 with '+'");
    assertFound(hex('07700-900-123').toUpperCase(), 'MSISDN', 'hex of the ASCII text');
    assertFound(hex('msisdn=447700900123'), 'MSISDN', 'hex of the ASCII');
  });

  for (const algo of ['md5', 'sha1', 'sha256']) {
    const name = algo === 'md5' ? 'MD5' : algo === 'sha1' ? 'SHA-1' : 'SHA-256';
    it(`finds ${name} of each form as hex (either case) and base64 (both alphabets)`, () => {
      for (const form of ['447700900123', '+447700900123', '00447700900123', '07700900123', '7700900123']) {
        assertFound(digest(algo, form, 'hex'), 'MSISDN', `${name} (hex)`);
        assertFound(`h=${digest(algo, form, 'hex').toUpperCase()}`, 'MSISDN', `${name} (hex)`);
        assertFound(digest(algo, form, 'base64'), 'MSISDN', `${name} (base64`);
        assertFound(`sig:${digest(algo, form, 'base64url')}`, 'MSISDN', `${name} (base64`);
      }
    });
  }

  it('never puts a whole digest in the evidence', () => {
    const d = digest('sha256', '447700900123', 'hex');
    const hits = found(d);
    assert.equal(hits.length, 1);
    assert.ok(!hits[0]!.includes(d));
    assert.match(hits[0]!, /digest [0-9a-f]{6}…\(64 chars\)/);
  });

  it('finds the IMSI plain and hashed', () => {
    assertFound(`imsi=${IMSI}`, 'IMSI', 'IMSI digits');
    assertFound(digest('md5', IMSI, 'hex'), 'IMSI', 'MD5');
    assertFound(b64(`sub:${IMSI}`), 'IMSI', 'base64');
  });

  it('finds the IMEI, its 14-digit core, the core inside an IMEISV, and hashes', () => {
    assertFound(IMEI, 'IMEI', 'IMEI with check digit');
    assertFound('35693803564380', 'IMEI', '14-digit IMEI core');
    assertFound('3569380356438001', 'IMEI', 'IMEISV');
    assertFound('35-693803-564380-9', 'IMEI', 'with separators');
    assertFound(digest('sha256', IMEI, 'hex'), 'IMEI', 'SHA-256');
  });
});

describe('detect/match: false-positive traps', () => {
  const traps: [string, string][] = [
    ['Unix timestamps', '1700000000 1700000000123'],
    ['an HTTP date', 'Wed, 21 Oct 2025 07:28:00 GMT'],
    ['an analytics cookie id', '_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000001'],
    [
      'User-Agent build numbers',
      'Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/UQ1A.240205.004) AppleWebKit/537.36 Chrome/120.0.6099.144',
    ],
    ['partial digit runs of the number', '7700900 900123 44770090012 770090012'],
    ['ETags', '"5d41402abc4b2a76b9719d911017c592", W/"1700000000-447700"'],
    ['another mobile number', 'visitor=447911123456'],
    ['a hash of a partial number', digest('md5', '44770090012', 'hex')],
    ['base64 of a partial number', b64('4477009001')],
    ['a random base64url token', 'eyJ1c2VyIjoiYW5vbiIsInRzIjoxNzAwMDAwMDAwfQ'],
  ];
  for (const [label, text] of traps) {
    it(`does not flag ${label}`, () => assert.deepEqual(found(text), []));
  }

  it('finds nothing when no identifier is known', () => {
    assert.deepEqual(findIdentifiers('447700900123', needlesFor({}, 'GB')), []);
  });
});
