import assert from 'node:assert/strict';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { evaluate, policyForApn, resolvePolicies } from '../../src/detect/index.ts';
import { addressFamily } from '../../src/model/capture.ts';
import { IDENTITY, MSISDN, O2, pair, rules } from './helpers.ts';

// The IPv6 path, judged apart: missing IPv6 probes by the policy's `ipv6` mode; per-APN policy overrides.

const V4 = ['nav', 'nav-tls', 'img', 'img-tls'];
const V6 = ['nav-v6', 'nav-v6-tls', 'img-v6', 'img-v6-tls'];
const v4Captures = () => [...pair([], { probe: 'nav' }), ...pair([], { probe: 'img' })];
const v6Captures = (extra: [string, string][] = []) => [
  ...pair(extra, { probe: 'nav-v6' }),
  ...pair(extra, { probe: 'img-v6' }),
];
const withIpv6 = (ipv6: 'required' | 'optional' | 'off') => ({ ...O2, ipv6 });

describe('detect: the IPv6 path', () => {
  it('optional (the default): no IPv6 probe arrived is "not checked", not broken', () => {
    assert.equal(O2.ipv6, 'optional');
    const j = evaluate({ policy: O2, identity: IDENTITY, captures: v4Captures(), plan: [...V4, ...V6] });
    assert.equal(j.verdict, 'pass', JSON.stringify(j.findings));
    assert.equal(j.ipv6Path, 'not-checked');
  });

  it('nothing arrived at all: every planned probe is incomplete, the IPv6 ones too', () => {
    const j = evaluate({ policy: O2, identity: IDENTITY, captures: [], plan: [...V4, ...V6] });
    assert.equal(j.verdict, 'broken');
    for (const p of [...V4, ...V6])
      assert.ok(
        j.findings.some((f) => f.rule === 'incomplete' && f.probe === p),
        p,
      );
  });

  it('optional: once one IPv6 probe arrived the path works, and a lost one is incomplete', () => {
    const partial = v6Captures().filter((c) => c.probe !== 'img-v6-tls');
    const j = evaluate({
      policy: O2,
      identity: IDENTITY,
      captures: [...v4Captures(), ...partial],
      plan: [...V4, ...V6],
    });
    assert.equal(j.verdict, 'broken');
    assert.deepEqual(
      j.findings.map((f) => `${f.rule} ${f.probe}`),
      ['incomplete img-v6-tls'],
    );
    assert.equal(j.ipv6Path, 'checked');
  });

  it('required: IPv6 probes that never arrived are incomplete', () => {
    const j = evaluate({
      policy: withIpv6('required'),
      identity: IDENTITY,
      captures: v4Captures(),
      plan: [...V4, ...V6],
    });
    assert.equal(j.verdict, 'broken');
    assert.deepEqual(j.findings.map((f) => f.probe).sort(), [...V6].sort());
    assert.ok(j.findings.every((f) => f.rule === 'incomplete'));
  });

  it('off: IPv6 probes are not asked for; the path is "off"', () => {
    const j = evaluate({ policy: withIpv6('off'), identity: IDENTITY, captures: v4Captures(), plan: V4 });
    assert.equal(j.verdict, 'pass');
    assert.equal(j.ipv6Path, 'off');
  });

  it('a leak on the IPv6 path alone fails, its evidence naming the path; the IPv4 probes stay clean', () => {
    const j = evaluate({
      policy: O2,
      identity: IDENTITY,
      captures: [...v4Captures(), ...v6Captures([['x-up-calling-line-id', MSISDN]])],
      plan: [...V4, ...V6],
    });
    assert.equal(j.verdict, 'fail');
    assert.ok(rules(j.findings).includes('identity-header'));
    assert.ok(j.findings.every((f) => f.probe.endsWith('-v6')));
    assert.ok(j.findings.every((f) => f.evidence.endsWith('[IPv6 path]')));
    assert.doesNotMatch(JSON.stringify(j), new RegExp(MSISDN));
  });

  it('reads the family from a remote address (IPv4-mapped as IPv4)', () => {
    assert.equal(addressFamily('127.0.0.1'), 4);
    assert.equal(addressFamily('::ffff:127.0.0.2'), 4);
    assert.equal(addressFamily('::ffff:7f00:2'), 4);
    assert.equal(addressFamily('::1'), 6);
    assert.equal(addressFamily('2001:db8::1'), 6);
    assert.equal(addressFamily('fe80::1%eth0'), 6);
    assert.equal(addressFamily('probe.localhost'), undefined);
    assert.equal(addressFamily(undefined), undefined);
  });
});

describe('detect: per-APN policies', () => {
  const policies = resolvePolicies(BUILTIN_POLICIES, [
    {
      id: 'o2-apns',
      parent: 'o2',
      apns: {
        'wap.o2.co.uk': { partnerEnrichment: ['X-Up-Calling-Line-Id'], ipv6: 'off' },
        'mobile.o2.co.uk': {},
      },
    },
    { id: 'mvno', parent: 'o2-apns', name: 'An MVNO' },
  ]);
  const bearer = policies.get('o2-apns')!;

  it('overrides only the fields an APN sets, and says which APN it is for', () => {
    const wap = policyForApn(bearer, 'wap.o2.co.uk');
    assert.equal(wap.apn, 'wap.o2.co.uk');
    assert.deepEqual(wap.partnerEnrichment, ['x-up-calling-line-id']);
    assert.equal(wap.ipv6, 'off');
    assert.deepEqual(wap.allowInjected, bearer.allowInjected);
    assert.equal(wap.apns, undefined);
    const web = policyForApn(bearer, 'mobile.o2.co.uk');
    assert.deepEqual(web.partnerEnrichment, []);
    assert.equal(web.ipv6, 'optional');
    assert.equal(policyForApn(bearer, undefined), bearer);
  });

  it('MVNOs inherit apns and ipv6 from their parent', () => {
    const mvno = policies.get('mvno')!;
    assert.deepEqual(Object.keys(mvno.apns ?? {}).sort(), ['mobile.o2.co.uk', 'wap.o2.co.uk']);
    assert.deepEqual(policyForApn(mvno, 'wap.o2.co.uk').partnerEnrichment, ['x-up-calling-line-id']);
    const required = resolvePolicies(BUILTIN_POLICIES, [
      { id: 'p', parent: 'o2', ipv6: 'required' },
      { id: 'c', parent: 'p' },
    ]);
    assert.equal(required.get('c')!.ipv6, 'required');
  });

  it('refuses a bad ipv6 mode or APN override in one line', () => {
    assert.throws(
      () => resolvePolicies(BUILTIN_POLICIES, [{ id: 'x', parent: 'o2', ipv6: 'sometimes' as 'off' }]),
      /^.*policy 'x': ipv6: .*$/,
    );
    assert.throws(
      () =>
        resolvePolicies(BUILTIN_POLICIES, [
          { id: 'y', parent: 'o2', apns: { wap: { country: 'GB' } as Record<string, unknown> } },
        ]),
      /policy 'y': apns\.wap\.country: unknown key/,
    );
  });
});
