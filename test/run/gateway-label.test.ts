import assert from 'node:assert/strict';
import { validateFarm } from '../../src/farm/index.ts';
import { gatewayLabel, withoutCredentials } from '../../src/run/gateway-label.ts';

const farm = validateFarm(
  {
    name: 'unit',
    handsets: [
      { id: 'sim', bearer: 'o2', emulate: 'Pixel 7', proxy: 'sim:o2', identity: { msisdn: '447700900101' } },
      {
        id: 'fault',
        bearer: 'o2',
        emulate: 'Pixel 7',
        proxy: 'sim:o2:tracking-id',
        identity: { msisdn: '447700900102' },
      },
      {
        id: 'gw',
        bearer: 'o2',
        emulate: 'Pixel 7',
        proxy: 'http://lab:s3cret@127.0.0.1:3128',
        identity: { msisdn: '447700900103' },
      },
      { id: 'direct', bearer: 'o2', emulate: 'Pixel 7', proxy: 'direct', identity: {} },
      {
        id: 'phone',
        bearer: 'o2',
        appium: { platformName: 'Android', 'appium:automationName': 'UiAutomator2' },
        identity: {},
      },
    ],
  },
  'unit.json',
);
const byId = (id: string) => farm.handsets.find((h) => h.id === id)!;

describe('run/gateway-label', () => {
  it('names the simulator and its fault; --sim-fault wins over the farm', () => {
    assert.equal(gatewayLabel(byId('sim')), 'sim:o2');
    assert.equal(gatewayLabel(byId('fault')), 'sim:o2:tracking-id');
    assert.equal(gatewayLabel(byId('fault'), 'o2-2012'), 'sim:o2:o2-2012');
    assert.equal(gatewayLabel(byId('sim'), 'o2-2012'), 'sim:o2:o2-2012');
  });

  it('shows a gateway URL without its credentials', () => {
    assert.equal(gatewayLabel(byId('gw')), 'http://127.0.0.1:3128');
    assert.equal(withoutCredentials('http://127.0.0.1:3128'), 'http://127.0.0.1:3128');
  });

  it('says direct for an emulated handset without a gateway and device for a real one', () => {
    assert.equal(gatewayLabel(byId('direct')), 'direct');
    assert.equal(gatewayLabel(byId('phone')), 'device');
  });
});
