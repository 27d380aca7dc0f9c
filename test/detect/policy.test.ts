import assert from 'node:assert/strict';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { canonicalMccMnc, PolicyError, parsePolicyInput, resolvePolicies } from '../../src/detect/index.ts';

function throwsOneLine(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PolicyError, `expected PolicyError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('detect/policy', () => {
  it('resolves the built-ins: O2 UK and its MVNOs on GB / 234-10 with the default allowlist', () => {
    const all = resolvePolicies(BUILTIN_POLICIES);
    assert.deepEqual(
      BUILTIN_POLICIES.map((p) => p.id),
      ['o2', 'giffgaff', 'tesco'],
    );
    for (const id of ['o2', 'giffgaff', 'tesco']) {
      const p = all.get(id)!;
      assert.equal(p.country, 'GB');
      assert.deepEqual(p.mccmnc, ['234-10']);
      assert.deepEqual(p.allowInjected, ['via', 'x-forwarded-for', 'forwarded']);
      assert.deepEqual(p.partnerEnrichment, []);
    }
    assert.equal(all.get('giffgaff')!.parent, 'o2');
    assert.equal(all.get('tesco')!.name, 'Tesco Mobile');
    assert.equal(all.get('o2')!.parent, undefined);
  });

  it('lets extras add and override by id; children inherit unset fields from the override', () => {
    const all = resolvePolicies(BUILTIN_POLICIES, [
      {
        id: 'o2',
        name: 'O2 UK (lab)',
        country: 'gb',
        mccmnc: ['23410', '234 11'],
        partnerEnrichment: ['X-MSISDN'],
      },
      { id: 'lab', parent: 'giffgaff', allowInjected: [] },
    ]);
    assert.deepEqual(all.get('o2')!.mccmnc, ['234-10', '234-11']);
    assert.equal(all.get('o2')!.country, 'GB');
    assert.deepEqual(all.get('giffgaff')!.partnerEnrichment, ['x-msisdn']);
    assert.deepEqual(all.get('lab')!.allowInjected, []);
    assert.deepEqual(all.get('lab')!.mccmnc, ['234-10', '234-11']);
  });

  it('normalises MCC-MNC to MCC-MNC with a dash', () => {
    assert.equal(canonicalMccMnc('23410'), '234-10');
    assert.equal(canonicalMccMnc('310410'), '310-410');
    assert.equal(canonicalMccMnc('234-10'), '234-10');
  });

  it('catches a misspelt key, naming where and suggesting the right one', () => {
    throwsOneLine(
      () =>
        parsePolicyInput(
          { id: 'x', country: 'GB', mccmnc: ['23410'], allowInjeced: [] },
          'farm.json: handsets[0].bearer',
        ),
      /^farm\.json: handsets\[0\]\.bearer: allowInjeced: unknown key "allowInjeced" \(known: id, name, country, mccmnc, parent, allowInjected, partnerEnrichment, attest, ipv6, apns; did you mean "allowInjected"\?\)$/,
    );
    throwsOneLine(
      () => parsePolicyInput({ id: 'x', attest: { viaPatern: 'x' } }, 'p'),
      /^p: attest\.viaPatern: unknown key "viaPatern" \(known: remoteCidrs, viaPattern; did you mean "viaPattern"\?\)$/,
    );
  });

  it('validates every field with a one-line error naming it', () => {
    throwsOneLine(() => parsePolicyInput({ id: 'x', country: 'UK' }, 'p'), /p: country: /);
    throwsOneLine(
      () => parsePolicyInput({ id: 'x', mccmnc: ['2341'] }, 'p'),
      /p: mccmnc\[0\]: not an MCC-MNC/,
    );
    throwsOneLine(
      () => parsePolicyInput({ id: 'x', allowInjected: ['x forwarded'] }, 'p'),
      /allowInjected\[0\]/,
    );
    throwsOneLine(
      () => parsePolicyInput({ id: 'x', attest: { remoteCidrs: ['10.0.0.0/33'] } }, 'p'),
      /remoteCidrs\[0\]/,
    );
    throwsOneLine(
      () => parsePolicyInput({ id: 'x', attest: { viaPattern: '(' } }, 'p'),
      /viaPattern: not a valid regular/,
    );
    throwsOneLine(() => parsePolicyInput('o2', 'p'), /^p: \(top level\): expected an object, got a string$/);
    throwsOneLine(() => parsePolicyInput({ name: 'x' }, 'p'), /^p: id: expected a string, got nothing$/);
    throwsOneLine(
      () => parsePolicyInput({ id: 'x', mccmnc: '234-10' }, 'p'),
      /^p: mccmnc: expected an array, got a string$/,
    );
  });

  it('accepts attest with IPv4 and IPv6 ranges and a Via pattern', () => {
    const p = parsePolicyInput(
      {
        id: 'x',
        parent: 'o2',
        attest: { remoteCidrs: ['82.132.0.0/16', '2a01:4c8::/32'], viaPattern: 'o2\\.co\\.uk' },
      },
      'p',
    );
    assert.deepEqual(resolvePolicies(BUILTIN_POLICIES, [p]).get('x')!.attest, p.attest);
  });

  it('rejects unknown parents, cycles, duplicates and roots without country or MCC-MNC', () => {
    throwsOneLine(
      () => resolvePolicies(BUILTIN_POLICIES, [{ id: 'a', parent: 'nope' }]),
      /policy 'a': parent: unknown policy 'nope'/,
    );
    throwsOneLine(
      () =>
        resolvePolicies(BUILTIN_POLICIES, [
          { id: 'a', parent: 'b' },
          { id: 'b', parent: 'a' },
        ]),
      /cycle/,
    );
    throwsOneLine(() => resolvePolicies(BUILTIN_POLICIES, [{ id: 'a', parent: 'a' }]), /cycle a → a/);
    throwsOneLine(
      () =>
        resolvePolicies(BUILTIN_POLICIES, [
          { id: 'a', parent: 'o2' },
          { id: 'a', parent: 'o2' },
        ]),
      /defined twice/,
    );
    throwsOneLine(
      () => resolvePolicies(BUILTIN_POLICIES, [{ id: 'a', mccmnc: ['234-10'] }]),
      /policy 'a': country: required/,
    );
    throwsOneLine(
      () => resolvePolicies(BUILTIN_POLICIES, [{ id: 'a', country: 'GB' }]),
      /policy 'a': mccmnc: required/,
    );
  });
});
