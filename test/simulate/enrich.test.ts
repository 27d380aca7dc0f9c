import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { enrich, type GatewayConfig, type RequestFacts, requestKind } from '../../src/simulate/enrich.ts';
import { IDENTITY_HEADER_NAMES } from '../../src/simulate/identity-headers.ts';
import { FAULT_NAMES, FAULTS, SIM_BEARERS } from '../../src/simulate/profiles.ts';
import { cgnatAddress, trackingId } from '../../src/simulate/subscriber.ts';
import { names, values } from './helpers.ts';

const MSISDN = '447700900123';
const base: GatewayConfig = { bearer: 'o2', msisdn: MSISDN, partnerHost: 'partner.localhost' };

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    hostname: 'probe.localhost',
    port: 80,
    httpVersion: '1.1',
    requestIndex: 1,
    rawHeaders: ['Host', 'probe.localhost', 'User-Agent', 'UA/1', 'Accept', 'text/html'],
    ...over,
  };
}

function containsNumber(raw: readonly string[]): boolean {
  return raw.some((v, i) => i % 2 === 1 && v.includes(MSISDN));
}

describe('simulate/enrich: healthy profiles', () => {
  for (const bearer of SIM_BEARERS) {
    it(`${bearer}: a third party gets only Via and X-Forwarded-For, appended after the client's headers`, () => {
      const out = enrich({ ...base, bearer }, facts());
      assert.deepEqual(names(out.rawHeaders), ['Host', 'User-Agent', 'Accept', 'Via', 'X-Forwarded-For']);
      assert.deepEqual(out.rawHeaders.slice(0, 6), facts().rawHeaders);
      assert.equal(containsNumber(out.rawHeaders), false);
      assert.equal(out.discloses, false);
    });

    it(`${bearer}: the partner host gets the number in x-up-calling-line-id, on any port`, () => {
      for (const port of [80, 8080, 40123]) {
        const out = enrich({ ...base, bearer }, facts({ hostname: 'partner.localhost', port }));
        assert.deepEqual(values(out.rawHeaders, 'x-up-calling-line-id'), [MSISDN]);
        assert.equal(out.discloses, true);
      }
    });
  }

  it('gives each bearer its own Via gateway name', () => {
    const vias = SIM_BEARERS.map(
      (bearer) => values(enrich({ ...base, bearer }, facts()).rawHeaders, 'via')[0],
    );
    assert.equal(new Set(vias).size, SIM_BEARERS.length);
    assert.match(vias[0]!, /^1\.1 \S+ \(O2 UK/);
    assert.match(vias[1]!, /GiffGaff/);
    assert.match(vias[2]!, /Tesco/);
  });

  it('uses the client HTTP version in Via', () => {
    const out = enrich(base, facts({ httpVersion: '1.0' }));
    assert.match(values(out.rawHeaders, 'via')[0]!, /^1\.0 /);
  });

  it('puts a stable carrier-grade-NAT address (100.64.0.0/10) per subscriber in X-Forwarded-For', () => {
    const a = values(enrich(base, facts()).rawHeaders, 'x-forwarded-for')[0]!;
    assert.equal(a, values(enrich(base, facts({ requestIndex: 7 })).rawHeaders, 'x-forwarded-for')[0]);
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{9,13}$/), (msisdn) => {
        const [o1, o2, o3, o4] = cgnatAddress(msisdn).split('.').map(Number);
        return o1 === 100 && o2! >= 64 && o2! <= 127 && o3! >= 0 && o3! <= 255 && o4! >= 1 && o4! <= 254;
      }),
    );
    assert.notEqual(cgnatAddress(MSISDN), cgnatAddress('447700900124'));
  });

  it('strips every client-sent identity header (any case) and keeps the rest in order', () => {
    const raw = [
      'Host',
      'partner.localhost',
      'X-UP-CALLING-LINE-ID',
      '449999999999',
      'X-Custom',
      'a',
      'x-msisdn',
      '449999999999',
      'MSISDN',
      '449999999999',
      'x-opwv-ddm-subscriber',
      'abc',
      'X-UIDH',
      'forged',
      'Cookie',
      'k=v',
    ];
    const out = enrich(base, facts({ hostname: 'partner.localhost', rawHeaders: raw }));
    assert.deepEqual(out.stripped, [
      'X-UP-CALLING-LINE-ID',
      'x-msisdn',
      'MSISDN',
      'x-opwv-ddm-subscriber',
      'X-UIDH',
    ]);
    assert.deepEqual(out.rawHeaders.slice(0, 6), [
      'Host',
      'partner.localhost',
      'X-Custom',
      'a',
      'Cookie',
      'k=v',
    ]);
    assert.deepEqual(values(out.rawHeaders, 'x-up-calling-line-id'), [MSISDN]);
    assert.equal(out.rawHeaders.includes('449999999999'), false);
  });

  it('strips every catalogue name', () => {
    const raw = IDENTITY_HEADER_NAMES.flatMap((n) => [n, 'forged']);
    const out = enrich(base, facts({ rawHeaders: raw }));
    assert.deepEqual(names(out.rawHeaders), ['Via', 'X-Forwarded-For']);
  });

  it('sends the IMSI to the partner with the number when one is given, never to a third party', () => {
    const withImsi = { ...base, imsi: '234101234567890' };
    assert.deepEqual(
      values(enrich(withImsi, facts({ hostname: 'partner.localhost' })).rawHeaders, 'x-wap-3gpp-imsi'),
      ['234101234567890'],
    );
    assert.equal(enrich(withImsi, facts()).rawHeaders.includes('234101234567890'), false);
  });

  it('never sends an identifier to a third party, whatever the client sends (property)', () => {
    const headerName = fc.oneof(
      fc.constantFrom(...IDENTITY_HEADER_NAMES, 'Accept', 'Cookie', 'Via', 'X-Forwarded-For'),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
    );
    const headerValue = fc.stringMatching(/^[ -~]{0,20}$/).filter((v) => !v.includes(MSISDN));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 12 }),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6})?$/).filter((h) => h !== 'partner'),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...SIM_BEARERS),
        (pairs, host, port, requestIndex, bearer) => {
          const out = enrich(
            { ...base, bearer },
            facts({ hostname: `${host}.localhost`, port, requestIndex, rawHeaders: pairs.flat() }),
          );
          return !containsNumber(out.rawHeaders) && !out.discloses;
        },
      ),
    );
  });
});

describe('simulate/enrich: faults', () => {
  it('documents every fault with what it does and what it replays', () => {
    assert.deepEqual([...FAULT_NAMES].sort(), [
      'alt-port-only',
      'encoded',
      'first-request-only',
      'ipv6-only-leak',
      'o2-2012',
      'partner-lost',
      'spoofable',
      'subresource-only',
      'tracking-id',
    ]);
    for (const f of FAULT_NAMES) {
      assert.ok(FAULTS[f].summary.length > 20, f);
      assert.ok(FAULTS[f].replays.length > 40, f);
    }
  });

  it('ipv6-only-leak: the number to IPv6 destinations only; partners as usual', () => {
    const cfg = { ...base, fault: 'ipv6-only-leak' as const };
    assert.deepEqual(values(enrich(cfg, facts({ hostname: '::1' })).rawHeaders, 'x-up-calling-line-id'), [
      MSISDN,
    ]);
    assert.deepEqual(
      values(enrich(cfg, facts({ hostname: '2001:db8::1' })).rawHeaders, 'x-up-calling-line-id'),
      [MSISDN],
    );
    for (const hostname of ['127.0.0.1', 'probe.localhost', 'example.com']) {
      assert.deepEqual(
        values(enrich(cfg, facts({ hostname })).rawHeaders, 'x-up-calling-line-id'),
        [],
        hostname,
      );
    }
  });

  it('--family limits any fault to destinations of one IP family; the other family is healthy', () => {
    const v6only = { ...base, fault: 'o2-2012' as const, faultFamily: 6 as const };
    assert.deepEqual(values(enrich(v6only, facts({ hostname: '::1' })).rawHeaders, 'x-up-calling-line-id'), [
      MSISDN,
    ]);
    assert.deepEqual(
      values(enrich(v6only, facts({ hostname: '127.0.0.1' })).rawHeaders, 'x-up-calling-line-id'),
      [],
    );
    const v4only = { ...base, fault: 'o2-2012' as const, faultFamily: 4 as const };
    assert.deepEqual(
      values(enrich(v4only, facts({ hostname: '::1' })).rawHeaders, 'x-up-calling-line-id'),
      [],
    );
    assert.deepEqual(
      values(enrich(v4only, facts({ hostname: 'probe.localhost' })).rawHeaders, 'x-up-calling-line-id'),
      [MSISDN],
    );
  });

  it('o2-2012: the number to every host', () => {
    const cfg = { ...base, fault: 'o2-2012' as const };
    assert.deepEqual(values(enrich(cfg, facts()).rawHeaders, 'x-up-calling-line-id'), [MSISDN]);
    assert.deepEqual(
      values(enrich(cfg, facts({ hostname: 'example.com' })).rawHeaders, 'x-up-calling-line-id'),
      [MSISDN],
    );
  });

  it('partner-lost: the partner gets no enrichment', () => {
    const out = enrich({ ...base, fault: 'partner-lost' }, facts({ hostname: 'partner.localhost' }));
    assert.deepEqual(names(out.rawHeaders).slice(-2), ['Via', 'X-Forwarded-For']);
    assert.equal(containsNumber(out.rawHeaders), false);
  });

  it('tracking-id: a stable base64 X-UIDH (salted SHA-256 of the number) to every host', () => {
    const cfg = { ...base, fault: 'tracking-id' as const };
    const id = values(enrich(cfg, facts()).rawHeaders, 'x-uidh');
    assert.deepEqual(id, [trackingId(MSISDN)]);
    assert.equal(Buffer.from(id[0]!, 'base64').length, 32);
    assert.deepEqual(values(enrich(cfg, facts({ hostname: 'other.localhost' })).rawHeaders, 'x-uidh'), id);
    assert.notEqual(trackingId('447700900124'), id[0]);
    assert.notEqual(id[0], createHash('sha256').update(MSISDN).digest('base64'), 'salted, not a plain hash');
    assert.equal(containsNumber(enrich(cfg, facts()).rawHeaders), false);
  });

  it('spoofable: client-sent identity headers pass through, in place', () => {
    const raw = ['Host', 'partner.localhost', 'x-up-calling-line-id', '449999999999', 'Accept', '*/*'];
    const out = enrich(
      { ...base, fault: 'spoofable' },
      facts({ hostname: 'partner.localhost', rawHeaders: raw }),
    );
    assert.deepEqual(out.rawHeaders.slice(0, 6), raw);
    assert.deepEqual(values(out.rawHeaders, 'x-up-calling-line-id'), ['449999999999', MSISDN]);
    assert.deepEqual(out.stripped, []);
  });

  it('first-request-only: the number to every host on request 1 of a connection only', () => {
    const cfg = { ...base, fault: 'first-request-only' as const };
    assert.deepEqual(values(enrich(cfg, facts()).rawHeaders, 'x-up-calling-line-id'), [MSISDN]);
    assert.deepEqual(values(enrich(cfg, facts({ requestIndex: 2 })).rawHeaders, 'x-up-calling-line-id'), []);
    assert.deepEqual(
      values(
        enrich(cfg, facts({ requestIndex: 2, hostname: 'partner.localhost' })).rawHeaders,
        'x-up-calling-line-id',
      ),
      [],
    );
  });

  it('alt-port-only: leaks on ports other than 80, or other than --main-port when given', () => {
    const cfg = { ...base, fault: 'alt-port-only' as const };
    const leak = (c: GatewayConfig, port: number) =>
      values(enrich(c, facts({ port })).rawHeaders, 'x-up-calling-line-id').length > 0;
    assert.equal(leak(cfg, 80), false);
    assert.equal(leak(cfg, 8080), true);
    assert.equal(leak({ ...cfg, mainPort: 41000 }, 41000), false);
    assert.equal(leak({ ...cfg, mainPort: 41000 }, 41001), true);
    assert.equal(leak({ ...cfg, mainPort: 41000 }, 80), true);
    assert.deepEqual(
      values(
        enrich(cfg, facts({ hostname: 'partner.localhost', port: 80 })).rawHeaders,
        'x-up-calling-line-id',
      ),
      [MSISDN],
    );
  });

  it('subresource-only: the number on images and fetches, not on documents', () => {
    const cfg = { ...base, fault: 'subresource-only' as const };
    const leak = (raw: string[]) =>
      values(
        enrich(cfg, facts({ rawHeaders: ['Host', 'probe.localhost', ...raw] })).rawHeaders,
        'x-up-calling-line-id',
      ).length > 0;
    assert.equal(leak(['Sec-Fetch-Dest', 'document', 'Accept', 'text/html']), false);
    assert.equal(leak(['Sec-Fetch-Dest', 'iframe']), false);
    assert.equal(leak(['Accept', 'text/html,application/xhtml+xml,*/*;q=0.8']), false);
    assert.equal(leak(['Sec-Fetch-Dest', 'image', 'Accept', 'image/avif,image/webp,*/*']), true);
    assert.equal(leak(['Sec-Fetch-Dest', 'empty', 'Accept', '*/*']), true);
    assert.equal(leak(['Accept', '*/*']), true);
    assert.equal(leak([]), true);
  });

  it('encoded: base64 and SHA-256 of the number under innocuous names, to every host', () => {
    const raw = ['Host', 'probe.localhost', 'X-Session-Ref', 'client-value'];
    const out = enrich({ ...base, fault: 'encoded' }, facts({ rawHeaders: raw }));
    assert.deepEqual(values(out.rawHeaders, 'x-session-ref'), [Buffer.from(MSISDN).toString('base64')]);
    assert.deepEqual(values(out.rawHeaders, 'x-client-hash'), [
      createHash('sha256').update(MSISDN).digest('hex'),
    ]);
    assert.equal(containsNumber(out.rawHeaders), false);
    assert.equal(out.discloses, true);
  });

  it('classifies documents and subresources', () => {
    assert.equal(requestKind(['Sec-Fetch-Mode', 'navigate']), 'document');
    assert.equal(requestKind(['sec-fetch-dest', 'IMAGE', 'Accept', 'text/html']), 'subresource');
    assert.equal(requestKind(['accept', 'TEXT/HTML']), 'document');
  });
});
