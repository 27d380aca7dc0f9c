import assert from 'node:assert/strict';
import {
  checkImei,
  checkImsi,
  checkMsisdn,
  IdentityError,
  luhnCheckDigit,
  luhnValid,
  normaliseMsisdn,
  parseIdentity,
} from '../../src/model/identity.ts';
import { UserError } from '../../src/shared/errors.ts';

function rejects(value: unknown, pattern: RegExp, secret?: string): void {
  assert.throws(
    () => parseIdentity(value, 'GB', 'farm.json: handsets[0].identity'),
    (err: unknown) => {
      assert.ok(err instanceof IdentityError);
      assert.ok(err instanceof UserError, 'a user error: exit code 2');
      assert.equal(err.exitCode, 2);
      assert.ok(!err.message.includes('\n'));
      assert.match(err.message, /^farm\.json: handsets\[0\]\.identity/);
      assert.match(err.message, pattern);
      if (secret) assert.ok(!err.message.includes(secret), 'identifier masked in the error');
      return true;
    },
  );
}

function problemOf(check: ReturnType<typeof checkMsisdn>): string {
  assert.equal(check.ok, false, 'expected the value to be refused');
  return check.ok ? '' : check.problem;
}

describe('model/identity: MSISDN', () => {
  it('normalises every written form of a GB number to E.164 digits without +', () => {
    for (const v of [
      '+447700900123',
      '447700900123',
      '07700900123',
      '07700 900123',
      '07700-900-123',
      '0044 7700 900123',
      '00447700900123',
      '(07700) 900123',
      '44 7700 900123',
    ]) {
      assert.deepEqual(checkMsisdn(v, 'GB'), { ok: true, value: '447700900123' }, v);
    }
  });

  it('accepts drama-range numbers (possible, not assigned) and E.164 numbers of other countries', () => {
    assert.deepEqual(checkMsisdn('07700 900999', 'GB'), { ok: true, value: '447700900999' });
    assert.deepEqual(checkMsisdn('+393486121867', 'GB'), { ok: true, value: '393486121867' });
    assert.deepEqual(checkMsisdn('12025550123', 'GB'), { ok: true, value: '12025550123' }, 'E.164 without +');
    assert.deepEqual(checkMsisdn('+12025550123', 'gb'), { ok: true, value: '12025550123' });
  });

  it('refuses impossible, over-long and malformed numbers, masked', () => {
    assert.match(
      problemOf(checkMsisdn('077009001234567', 'GB')),
      /^not a possible GB phone number \(0770\*+67\)$/,
    );
    assert.match(problemOf(checkMsisdn('4477009001234567', 'GB')), /not a possible GB phone number/);
    assert.match(problemOf(checkMsisdn('+4477009001234567', 'GB')), /at most 15 digits \(E\.164\), got 16/);
    assert.match(problemOf(checkMsisdn('12', 'GB')), /not a possible GB phone number/);
    assert.match(problemOf(checkMsisdn('+07700900123', 'GB')), /not a possible GB phone number/);
    assert.match(problemOf(checkMsisdn('call me', 'GB')), /a phone number is digits/);
    assert.match(problemOf(checkMsisdn('  ', 'GB')), /is empty/);
    assert.match(problemOf(checkMsisdn('07700900123', 'XX')), /unknown country 'XX'/);
  });

  it('throws `<where>: <problem>` as a one-line IdentityError', () => {
    assert.equal(normaliseMsisdn('07700 900123', 'GB'), '447700900123');
    assert.throws(
      () => normaliseMsisdn('123', 'GB', '--msisdn'),
      (err: unknown) => {
        assert.ok(err instanceof IdentityError);
        assert.match(err.message, /^--msisdn: not a possible GB phone number/);
        return true;
      },
    );
  });
});

describe('model/identity: IMSI and IMEI', () => {
  it('keeps the digits of a 14- or 15-digit IMSI (separators allowed)', () => {
    assert.deepEqual(checkImsi('234 10 1234567890'), { ok: true, value: '234101234567890' });
    assert.deepEqual(checkImsi('23410123456789'), { ok: true, value: '23410123456789' });
    assert.match(
      problemOf(checkImsi('2341012345')),
      /^an IMSI has 14–15 digits \(MCC \+ MNC \+ MSIN\), got 10/,
    );
    assert.match(problemOf(checkImsi('2341012345678901')), /got 16/);
    assert.match(problemOf(checkImsi('23410x')), /an IMSI is digits only/);
  });

  it('takes a Luhn-valid IMEI, its 14-digit core, or a 16-digit IMEISV', () => {
    assert.deepEqual(checkImei('35-693803-564380-9'), { ok: true, value: '356938035643809' });
    assert.deepEqual(checkImei('35693803564380'), { ok: true, value: '35693803564380' });
    assert.deepEqual(checkImei('3569380356438001'), { ok: true, value: '3569380356438001' });
    assert.match(problemOf(checkImei('356938035643808')), /Luhn check digit, and 3569\*+08 fails the check/);
    assert.match(problemOf(checkImei('35693803564380912')), /an IMEI has 15 digits .*got 17/);
    assert.match(problemOf(checkImei('abc')), /an IMEI is digits only/);
  });

  it('computes the Luhn check digit', () => {
    assert.equal(luhnCheckDigit('35693803564380'), '9');
    assert.ok(luhnValid('356938035643809'));
    assert.ok(!luhnValid('356938035643801'));
  });
});

describe('model/identity: parseIdentity', () => {
  it('returns the canonical identity; any identifier may be absent', () => {
    assert.deepEqual(
      parseIdentity(
        { msisdn: '07700 900123', imsi: '234 10 1234567890', imei: '35-693803-564380-9' },
        'GB',
        'x',
      ),
      { msisdn: '447700900123', imsi: '234101234567890', imei: '356938035643809' },
    );
    assert.deepEqual(parseIdentity({}, 'GB', 'x'), {});
    assert.deepEqual(parseIdentity(undefined, 'GB', 'x'), {});
  });

  it('names the field and masks the value', () => {
    rejects(
      { msisdn: '077009001234567' },
      /identity\.msisdn: not a possible GB phone number/,
      '077009001234567',
    );
    rejects({ imsi: '2341012345' }, /identity\.imsi: an IMSI has 14–15 digits/, '2341012345');
    rejects({ imei: '35693803564380912' }, /identity\.imei: an IMEI has 15 digits/, '35693803564380912');
  });

  it('rejects unknown keys and non-strings', () => {
    rejects(
      { msidsn: '07700900123' },
      /identity\.msidsn: unknown key "msidsn" \(known: msisdn, imsi, imei; did you mean "msisdn"\?\)$/,
    );
    rejects({ msisdn: 447700900123 }, /identity\.msisdn: expected a string, got a number$/);
    rejects({ imei: '' }, /identity\.imei: is empty$/);
    rejects('07700900123', /identity: expected an object \{msisdn\?, imsi\?, imei\?\}, got a string$/);
  });
});
