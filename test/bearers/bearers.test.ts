import assert from 'node:assert/strict';
import { BUILTIN_POLICIES, giffgaff, o2, tesco } from '../../bearers/index.ts';
import { parsePolicyInput, resolvePolicies } from '../../src/detect/index.ts';

describe('bearers/', () => {
  it('ships o2, giffgaff and tesco as valid policy inputs', () => {
    assert.deepEqual(BUILTIN_POLICIES, [o2, giffgaff, tesco]);
    for (const p of BUILTIN_POLICIES) assert.deepEqual(parsePolicyInput(p, `bearers/${p.id}`), p);
  });

  it('puts the MVNOs on O2 UK: parent o2, inheriting country GB and MCC-MNC 234-10', () => {
    assert.equal(giffgaff.parent, 'o2');
    assert.equal(tesco.parent, 'o2');
    assert.equal(giffgaff.country, undefined, 'inherited, not repeated');
    const all = resolvePolicies(BUILTIN_POLICIES);
    for (const id of ['giffgaff', 'tesco']) {
      assert.equal(all.get(id)!.country, 'GB');
      assert.deepEqual(all.get(id)!.mccmnc, ['234-10']);
    }
  });

  it('expects no partner enrichment in the built-ins (the whitelisted partner is deployment config)', () => {
    for (const p of resolvePolicies(BUILTIN_POLICIES).values()) assert.deepEqual(p.partnerEnrichment, []);
  });
});
