import assert from 'node:assert/strict';
import { observedProbes, type ScanCapture } from '../../src/detect/index.ts';
import type { BearerPolicy } from '../../src/model/policy.ts';
import { BROWSER, IDENTITY, MSISDN, O2, pair } from './helpers.ts';

const plan = ['nav', 'nav-tls', 'partner', 'partner-tls'];
const withEnrichment: BearerPolicy = { ...O2, partnerEnrichment: ['x-up-calling-line-id'] };

function partner(extra: [string, string][]): ScanCapture[] {
  const base: [string, string][] = [['Host', 'partner.localhost'], ...BROWSER.slice(1)];
  return [
    {
      probe: 'partner',
      role: 'partner',
      tls: false,
      host: 'partner.localhost',
      url: '/p',
      twin: 'partner-tls',
      headers: [...base, ...extra],
    },
    {
      probe: 'partner-tls',
      role: 'partner',
      tls: true,
      host: 'partner.localhost:443',
      url: '/p',
      headers: base,
    },
  ];
}

describe('detect/observed: the baseline view of a handset’s captures', () => {
  it('names what the network injected per probe (lower-case, sorted), never a value; TLS probes inject nothing', () => {
    const captures = pair([
      ['X-Forwarded-For', '10.1.2.3'],
      ['Via', '1.1 gw-lon-03'],
    ]);
    const observed = observedProbes({ policy: O2, identity: IDENTITY, captures, plan });
    assert.deepEqual(observed, [
      { probe: 'nav', injected: ['via', 'x-forwarded-for'], enrichment: [] },
      { probe: 'nav-tls', injected: [], enrichment: [] },
    ]);
    assert.ok(!JSON.stringify(observed).includes('10.1.2.3'));
  });

  it('is the same whatever the values: another Via host or address reads the same', () => {
    const a = observedProbes({
      policy: O2,
      identity: {},
      captures: pair([
        ['Via', '1.1 a'],
        ['X-Forwarded-For', '10.0.0.1'],
      ]),
    });
    const b = observedProbes({
      policy: O2,
      identity: {},
      captures: pair([
        ['VIA', '1.1 other-host'],
        ['x-forwarded-for', '10.9.9.9'],
      ]),
    });
    assert.deepEqual(a, b);
  });

  it('uses the verdict’s diff: scheme-varying headers and what the browser also sent over HTTPS are not injected; a rewritten value is', () => {
    const base = BROWSER.map(([n, v]): [string, string] => [n, v]);
    const plain = base.map(([n, v]): [string, string] =>
      n === 'User-Agent' ? [n, `${v} gw/1`] : n === 'Accept' ? [n, '*/*'] : [n, v],
    );
    const captures = pair([], { base: plain }).map((c) => (c.tls ? { ...c, headers: base } : c));
    const observed = observedProbes({ policy: O2, identity: {}, captures });
    assert.deepEqual(observed[0]!.injected, ['user-agent']);
  });

  it('lists the partner enrichment that arrived apart from other injections; a catalogue header injected there counts as enrichment', () => {
    const captures = partner([
      ['Via', '1.1 gw'],
      ['x-up-calling-line-id', MSISDN],
      ['X-MSISDN', MSISDN],
    ]);
    const observed = observedProbes({ policy: withEnrichment, identity: IDENTITY, captures, plan });
    assert.deepEqual(observed[0], {
      probe: 'partner',
      injected: ['via'],
      enrichment: ['x-msisdn', 'x-up-calling-line-id'],
    });
    // An empty enrichment header did not arrive.
    const empty = observedProbes({
      policy: withEnrichment,
      identity: {},
      captures: partner([['x-up-calling-line-id', ' ']]),
    });
    assert.deepEqual(empty[0]!.enrichment, []);
  });

  it('leaves out planned probes that were not captured; masks a header name that holds an identifier', () => {
    const captures = pair([[`x-id-${MSISDN}`, '1']]).filter((c) => !c.tls);
    const observed = observedProbes({ policy: O2, identity: IDENTITY, captures, plan });
    assert.deepEqual(
      observed.map((p) => p.probe),
      ['nav'],
    );
    assert.ok(!JSON.stringify(observed).includes(MSISDN), JSON.stringify(observed));
    // No control without the twin: nothing can be called injected.
    assert.deepEqual(observed[0]!.injected, []);
    const withTwin = observedProbes({
      policy: O2,
      identity: IDENTITY,
      captures: pair([[`x-id-${MSISDN}`, '1']]),
    });
    assert.equal(withTwin[0]!.injected.length, 1);
    assert.ok(!JSON.stringify(withTwin).includes(MSISDN), JSON.stringify(withTwin));
  });
});
