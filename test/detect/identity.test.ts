import assert from 'node:assert/strict';
import { DetectInputError, parseIdentity } from '../../src/detect/index.ts';

function rejects(value: unknown, pattern: RegExp, secret?: string): void {
  assert.throws(
    () => parseIdentity(value, 'GB', 'farm.json: handsets[0].identity'),
    (err: unknown) => {
      assert.ok(err instanceof DetectInputError);
      assert.ok(!err.message.includes('\n'));
      assert.match(err.message, /^farm\.json: handsets\[0\]\.identity/);
      assert.match(err.message, pattern);
      if (secret) assert.ok(!err.message.includes(secret), 'identifier masked in the error');
      return true;
    },
  );
}

describe('detect/identity', () => {
  it('normalises every written form of a GB number to E.164 digits without +', () => {
    for (const v of [
      '+447700900123',
      '447700900123',
      '07700 900123',
      '07700-900-123',
      '0044 7700 900123',
      '(07700) 900123',
    ]) {
      assert.deepEqual(parseIdentity({ msisdn: v }, 'GB', 'x'), { msisdn: '447700900123' }, v);
    }
  });

  it('accepts Ofcom drama-range numbers (possible, not assigned) and numbers of other countries in E.164', () => {
    assert.equal(parseIdentity({ msisdn: '07700 900999' }, 'GB', 'x').msisdn, '447700900999');
    assert.equal(parseIdentity({ msisdn: '+393486121867' }, 'GB', 'x').msisdn, '393486121867');
  });

  it('keeps IMSI and IMEI digits (separators allowed); any identifier may be absent', () => {
    assert.deepEqual(parseIdentity({ imsi: '234 10 1234567890', imei: '35-693803-564380-9' }, 'GB', 'x'), {
      imsi: '234101234567890',
      imei: '356938035643809',
    });
    assert.deepEqual(parseIdentity({ imei: '3569380356438001' }, 'GB', 'x'), { imei: '3569380356438001' });
    assert.deepEqual(parseIdentity({}, 'GB', 'x'), {});
  });

  it('rejects impossible numbers with a masked one-line error', () => {
    rejects({ msisdn: '077009001234567' }, /msisdn: not a possible GB phone number/, '077009001234567');
    rejects({ msisdn: '12' }, /msisdn: not a possible GB phone number/);
    rejects({ msisdn: 'call me' }, /msisdn: a phone number is digits/);
  });

  it('rejects IMSIs and IMEIs of the wrong length, masking them', () => {
    rejects({ imsi: '2341012345' }, /imsi: an IMSI has 14–15 digits, got 10/, '2341012345');
    rejects({ imei: '35693803564380912' }, /imei: an IMEI has 14–16 digits, got 17/, '35693803564380912');
    rejects({ imei: 'abc' }, /imei: an IMEI is digits only/);
  });

  it('rejects unknown keys and non-strings', () => {
    rejects({ msidsn: '07700900123' }, /msidsn: unknown key/);
    rejects({ msisdn: 447700900123 }, /msisdn: expected a non-empty string/);
    rejects('07700900123', /expected an object/);
  });
});
