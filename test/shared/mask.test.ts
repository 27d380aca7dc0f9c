import assert from 'node:assert/strict';
import {
  maskDigitRuns,
  maskIdentifier,
  maskKnown,
  maskLongDigitRuns,
  maskOpaque,
} from '../../src/shared/mask.ts';

describe('mask', () => {
  it('keeps the first 4 and last 2 characters of an identifier', () => {
    assert.equal(maskIdentifier('447700900123'), '4477******23');
  });

  it('masks short identifiers harder', () => {
    assert.equal(maskIdentifier('12345'), '12**5');
    assert.equal(maskIdentifier('1234'), '****');
  });

  it('keeps only a short prefix of opaque values', () => {
    assert.equal(maskOpaque('d41d8cd98f00b204e9800998ecf8427e'), 'd41d8c…(32 chars)');
  });

  it('masks digit runs in free text, separators included', () => {
    const out = maskDigitRuns('number +44 7700 900123 on port 8080');
    assert.equal(out, 'number 4477******23 on port 8080');
  });

  it('leaves IPv4 addresses, ports, dates and run-id times readable, and still masks numbers beside them', () => {
    assert.equal(
      maskDigitRuns('proxy 127.0.0.1:8888 gateway http://10.200.3.4:8080/ from 192.168.100.200'),
      'proxy 127.0.0.1:8888 gateway http://10.200.3.4:8080/ from 192.168.100.200',
    );
    assert.equal(
      maskDigitRuns('reports/2026-12-01T21-43-03-135Z-3332ac/ at 2026-12-01T21:43:03.135Z'),
      'reports/2026-12-01T21-43-03-135Z-3332ac/ at 2026-12-01T21:43:03.135Z',
    );
    // A run id whose random part is all digits (one in sixteen or so): still the run id.
    assert.equal(
      maskDigitRuns('(run 2026-12-02T18-22-36-930Z-120117)'),
      '(run 2026-12-02T18-22-36-930Z-120117)',
    );
    // ...but only six digits right after a run id's stamp: a number written there is masked.
    assert.equal(
      maskDigitRuns('2026-12-02T18-22-36-930Z-447700900123'),
      '2026-12-02T18-22-36-930Z-4477******23',
    );
    assert.equal(maskDigitRuns('Z-120117'), 'Z-12***7');
    // Not an address (an octet over 255), not a date (month 13), not after a T: masked as before.
    assert.equal(maskDigitRuns('447.700.900.123'), '4477******23');
    assert.equal(maskDigitRuns('2026-13-01'), '2026**01');
    assert.equal(maskDigitRuns('call 07-70-09'), 'call 07***9');
    assert.equal(maskDigitRuns('msisdn 447700900123 via 127.0.0.1'), 'msisdn 4477******23 via 127.0.0.1');
  });

  it('reads an address beside other digits as an address: no digit run spans it', () => {
    const cases: [text: string, masked: string][] = [
      // A handset id ending in a digit, then its simulator's address in brackets: not a 7-digit number.
      [
        'handset o2-pixel-7 (127.0.0.1:25874) could not start',
        'handset o2-pixel-7 (127.0.0.1:25874) could not start',
      ],
      ['+44 7700 900123 10.1.2.3', '4477******23 10.1.2.3'],
      ['10.0.0.1-447700900123', '10.0.0.1-4477******23'],
      // Octets with leading zeros are a number written with dots, not an address.
      ['077.009.001.23', '0770*****23'],
    ];
    for (const [text, masked] of cases) assert.equal(maskDigitRuns(text), masked, text);
  });

  it('masks known secrets wherever they occur', () => {
    assert.equal(maskKnown('imsi=234101234567890;', ['234101234567890']), 'imsi=2341*********90;');
  });
});

describe('mask: long digit runs', () => {
  it('masks 9+ digit runs and leaves version numbers readable', () => {
    assert.equal(
      maskLongDigitRuns('Chrome/159.0.8154.6 id=123456789012'),
      'Chrome/159.0.8154.6 id=1234******12',
    );
  });
});
