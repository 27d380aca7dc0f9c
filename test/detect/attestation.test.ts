import assert from 'node:assert/strict';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { offBearer } from '../../src/detect/attestation.ts';
import { evaluate, resolvePolicies, type ScanCapture } from '../../src/detect/index.ts';
import type { BearerPolicy } from '../../src/model/policy.ts';
import { IDENTITY, O2, pair } from './helpers.ts';

// Bearer attestation: every capture from the bearer's egress ranges (and a matching Via on plain HTTP), or
// the handset is broken (off-bearer) and the network-path rules are not judged.

const attest = { remoteCidrs: ['127.0.0.2/32', '2001:db8::/32'] };
const from = (captures: ScanCapture[], addresses: string[]) =>
  captures.map((c, i) => ({ ...c, remoteAddress: addresses[i % addresses.length]! }));
const onBearer: BearerPolicy = { ...O2, attest };
const judge = (captures: ScanCapture[], policy: BearerPolicy = onBearer) =>
  evaluate({ policy, identity: IDENTITY, captures });
const statusOf = (j: ReturnType<typeof evaluate>, rule: string) =>
  j.checks.find((c) => c.rule === rule)!.status;

describe('detect/attestation', () => {
  it('passes when every capture, plain and TLS, comes from the ranges (IPv4, IPv6, IPv4-mapped)', () => {
    for (const addresses of [
      ['127.0.0.2'],
      ['2001:db8::7'],
      ['::ffff:127.0.0.2'],
      ['127.0.0.2', '2001:db8:1::1'],
    ]) {
      const j = judge(from(pair([['Via', '1.1 gw']]), addresses));
      assert.equal(j.verdict, 'pass', `${addresses}: ${JSON.stringify(j.findings)}`);
      assert.equal(statusOf(j, 'off-bearer'), 'passed');
    }
  });

  it('a capture from elsewhere (the Wi-Fi case: the TLS twin too) is off-bearer: broken, the address named', () => {
    const j = judge(from(pair([['Via', '1.1 gw']]), ['127.0.0.2', '127.0.0.1']));
    assert.equal(j.verdict, 'broken');
    const [f, ...rest] = j.findings;
    assert.equal(rest.length, 0);
    assert.equal(f!.rule, 'off-bearer');
    assert.equal(f!.probe, 'nav-tls');
    assert.equal(f!.header, '(remote address)');
    assert.match(
      f!.evidence,
      /came from 127\.0\.0\.1, outside the bearer's ranges 127\.0\.0\.2\/32, 2001:db8::\/32/,
    );
  });

  it('an unknown remote address fails closed', () => {
    const j = judge(pair());
    assert.equal(j.verdict, 'broken');
    assert.ok(j.findings.every((f) => f.rule === 'off-bearer' && /remote address unknown/.test(f.evidence)));
  });

  it('off the bearer the network-path rules are not judged, but a known identifier is still a leak', () => {
    // An injected header that would be unexpected-injection on the bearer: not judged off it.
    const injected = judge(from(pair([['X-Gateway-Trace', 'abc']]), ['127.0.0.1']));
    assert.equal(injected.verdict, 'broken');
    assert.ok(!injected.findings.some((f) => f.rule === 'unexpected-injection'));
    for (const rule of [
      'unexpected-injection',
      'identity-like-value',
      'partner-enrichment-missing',
      'spoofable',
    ])
      assert.equal(statusOf(injected, rule), 'skipped', rule);
    // The number itself in a catalogue header: fail, whatever the path.
    const leak = judge(from(pair([['x-up-calling-line-id', '447700900123']]), ['127.0.0.1']));
    assert.equal(leak.verdict, 'fail');
    assert.ok(leak.findings.some((f) => f.rule === 'identity-value'));
    assert.ok(leak.findings.some((f) => f.rule === 'identity-header'));
    assert.ok(leak.findings.some((f) => f.rule === 'off-bearer'));
    assert.ok(!leak.findings.some((f) => f.rule === 'unexpected-injection'));
  });

  it('viaPattern: each plain-HTTP probe needs a matching Via; TLS twins need none', () => {
    const policy = { ...O2, attest: { viaPattern: 'gw-[a-z]+-\\d+\\.o2\\.co\\.uk' } };
    assert.equal(judge(pair([['Via', '1.1 gw-lon-03.o2.co.uk']]), policy).verdict, 'pass');
    const wrong = judge(pair([['Via', '1.1 squid.lab']]), policy);
    assert.equal(wrong.verdict, 'broken');
    assert.deepEqual(
      wrong.findings.map((f) => [f.rule, f.probe, f.header]),
      [['off-bearer', 'nav', 'Via']],
    );
    assert.match(wrong.findings[0]!.evidence, /Via '1\.1 squid\.lab' does not match/);
    assert.match(judge(pair(), policy).findings[0]!.evidence, /no Via header matching/);
  });

  it('a bearer without attest behaves as before, and says attestation was off', () => {
    const j = judge(pair([['Via', '1.1 gw']]), O2);
    assert.equal(j.verdict, 'pass');
    const check = j.checks.find((c) => c.rule === 'off-bearer')!;
    assert.equal(check.status, 'skipped');
    assert.match(check.reason!, /attestation is off for o2/);
  });

  it('an MVNO inherits attest from its parent', () => {
    const policies = resolvePolicies(BUILTIN_POLICIES, [
      { id: 'o2', country: 'GB', mccmnc: ['234-10'], attest },
    ]);
    const giffgaff = policies.get('giffgaff')!;
    assert.deepEqual(giffgaff.attest, attest);
    assert.equal(judge(from(pair(), ['127.0.0.1']), giffgaff).verdict, 'broken');
  });

  it('offBearer: nothing to check without attest; an unusable range fails closed', () => {
    assert.deepEqual(offBearer(from(pair(), ['127.0.0.1']), undefined), []);
    assert.equal(offBearer(from(pair(), ['127.0.0.2']), { remoteCidrs: ['not-a-range'] }).length, 2);
  });
});
