import assert from 'node:assert/strict';
import { isDeviceName, suggestDevices, unknownDevice } from '../../src/farm/emulated-device.ts';

describe('farm/emulated-device', () => {
  it('knows device names exactly as Playwright spells them', () => {
    assert.ok(isDeviceName('Pixel 7'));
    assert.ok(isDeviceName('Galaxy S9+'));
    assert.ok(!isDeviceName('pixel 7'));
  });

  it('suggests only the device that differs in case and spacing, when there is one', () => {
    assert.deepEqual(suggestDevices('pixel 7'), ['Pixel 7']);
    assert.deepEqual(suggestDevices('Pixel7'), ['Pixel 7']);
    assert.deepEqual(suggestDevices('iphone 14 PRO'), ['iPhone 14 Pro']);
    assert.deepEqual(suggestDevices('pixel 7 LANDSCAPE'), ['Pixel 7 landscape']);
  });

  it('otherwise suggests near names, the ones extending what was written first, portrait unless asked', () => {
    assert.equal(suggestDevices('Galaxy S9')[0], 'Galaxy S9+');
    assert.ok(suggestDevices('Pixel 77').includes('Pixel 7'));
    assert.ok(suggestDevices('Pixel 77').every((d) => !d.endsWith('landscape')));
    assert.ok(suggestDevices('ipad').every((d) => d.startsWith('iPad')));
    assert.equal(suggestDevices('Pixel 77', 2).length, 2);
  });

  it('says what to look for when nothing is close', () => {
    assert.deepEqual(suggestDevices('Zorgphone'), []);
    assert.match(
      unknownDevice('Zorgphone'),
      /^unknown emulated device "Zorgphone" \(see the Playwright device names/,
    );
  });
});
