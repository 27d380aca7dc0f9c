import assert from 'node:assert/strict';
import path from 'node:path';
import { loadFarm } from '../../src/farm/index.ts';
import { ROOT } from '../support/cli.ts';

// The farms the README and docs/farms.md name load and validate as documented.

const LAB_ENV = {
  HG_LAB_O2_MSISDN: '447700900123',
  HG_LAB_O2_IMSI: '234100000900123',
  HG_LAB_GIFFGAFF_MSISDN: '447700900124',
};

describe('example farms (devices/)', () => {
  it('devices/lab.json: two emulated handsets behind the lab gateways, identities from the environment', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'lab.json'), LAB_ENV);
    assert.equal(farm.name, 'o2-lab');
    assert.deepEqual(
      farm.handsets.map((h) => [h.id, h.bearer, h.proxy]),
      [
        ['lab-o2-pixel-7', 'o2', { kind: 'gateway', url: 'http://127.0.0.1:8888' }],
        ['lab-giffgaff-iphone-14', 'giffgaff', { kind: 'gateway', url: 'http://127.0.0.1:8889' }],
      ],
    );
    // giffgaff inherits O2's partner enrichment: the positive control runs on both.
    assert.deepEqual(
      farm.handsets.map((h) => h.policy.partnerEnrichment),
      [['x-up-calling-line-id'], ['x-up-calling-line-id']],
    );
  });

  it('devices/lab.json without its environment: one line naming the missing variable', async () => {
    await assert.rejects(loadFarm(path.join(ROOT, 'devices', 'lab.json'), {}), /HG_LAB_O2_MSISDN/);
  });

  it('devices/simulated.ts: the embedded default', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'simulated.ts'), {});
    assert.deepEqual(
      farm.handsets.map((h) => h.proxy.kind),
      ['sim', 'sim', 'sim'],
    );
  });
});
