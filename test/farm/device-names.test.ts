import assert from 'node:assert/strict';
import { devices } from 'playwright-core';
import { DEVICE_NAMES } from '../../src/farm/device-names.ts';

describe('farm/device-names', () => {
  it("lists exactly the installed playwright-core's device descriptors (else: node --import tsx scripts/write-device-names.ts)", () => {
    assert.deepEqual([...DEVICE_NAMES].sort(), Object.keys(devices).sort());
  });
});
