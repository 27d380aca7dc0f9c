import assert from 'node:assert/strict';
import {
  checkIdentity,
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

const O2 = { country: 'GB', mccmnc: ['234-10'] };

function rejects(value: unknown, pattern: RegExp, secret?: string): void {
  assert.throws(
    () => parseIdentity(value, O2, 'farm.json: handsets[0].identity'),
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
      '+44 (0) 7700 900123',
    ]) {
      assert.deepEqual(checkMsisdn(v, 'GB'), { ok: true, value: '447700900123' }, v);
    }
  });

  it("accepts Ofcom's drama range 07700 900000-900999 (mobile, though not in the metadata), and other GB mobiles", () => {
    for (const v of ['07700 900000', '07700 900999', '447700900101']) {
      assert.equal(checkMsisdn(v, 'GB').ok, true, v);
    }
    assert.deepEqual(checkMsisdn('07700 900999', 'GB'), { ok: true, value: '447700900999' });
    assert.deepEqual(checkMsisdn('+44 7400 123456', 'gb'), { ok: true, value: '447400123456' });
    assert.match(
      problemOf(checkMsisdn('07700 901000', 'GB')),
      /got 0770\*+00 \(not in any GB numbering range\)$/,
    );
  });

  it('reads digits without + or a trunk prefix as international, never as a national number', () => {
    // Two digits dropped from 447700900123: libphonenumber alone would read it as the GB number 4477009002.
    assert.equal(
      problemOf(checkMsisdn('4477009002', 'GB')),
      'expected a GB mobile number (44…, +44…, 0044… or national 0…), got 4477****02 (8 digits after +44: the wrong length for GB)',
    );
    assert.match(
      problemOf(checkMsisdn('7700900123', 'GB')),
      /got 7700\*+23 \(a \+7 \(KZ\) number, not a \+44 one\)$/,
    );
  });

  it("refuses a number of another country, or of a non-mobile type, for the bearer's country", () => {
    assert.match(
      problemOf(checkMsisdn('+14155550123', 'GB')),
      /^expected a GB mobile number .*, got 1415\*+23 \(a \+1 \(US\) number, not a \+44 one\)$/,
    );
    assert.match(problemOf(checkMsisdn('+393486121867', 'GB')), /a \+39 \(IT\) number/);
    assert.match(problemOf(checkMsisdn('+447911123456', 'GB')), /a number of Guernsey \(GG\), not GB\)$/);
    assert.match(
      problemOf(checkMsisdn('+44 20 7946 0123', 'GB')),
      /a fixed-line number, not a mobile one\)$/,
    );
    assert.match(problemOf(checkMsisdn('0800 123 4567', 'GB')), /a toll-free number, not a mobile one\)$/);
    assert.deepEqual(
      checkMsisdn('+14155550123', 'US'),
      { ok: true, value: '14155550123' },
      'FIXED_LINE_OR_MOBILE',
    );
    assert.deepEqual(checkMsisdn('+39 348 612 1867', 'IT'), { ok: true, value: '393486121867' });
  });

  it('refuses impossible, over-long and malformed numbers, masked', () => {
    assert.match(
      problemOf(checkMsisdn('077009001234567', 'GB')),
      /got 0770\*+67 \(14 digits after \+44: too long for GB\)$/,
    );
    assert.match(problemOf(checkMsisdn('4477009001234567', 'GB')), /got 4477\*+67 \(more than 15 digits/);
    assert.match(
      problemOf(checkMsisdn('+4477009001234567', 'GB')),
      /more than 15 digits, the E\.164 maximum/,
    );
    assert.match(problemOf(checkMsisdn('12', 'GB')), /got \*\* \(not a phone number\)$/);
    assert.match(problemOf(checkMsisdn('+07700900123', 'GB')), /comes a country calling code, not 0/);
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
        assert.match(err.message, /^--msisdn: expected a GB mobile number/);
        return true;
      },
    );
  });
});

describe('model/identity: IMSI and IMEI', () => {
  it("keeps the digits of a 14- or 15-digit IMSI of one of the bearer's networks (separators allowed)", () => {
    assert.deepEqual(checkImsi('234 10 1234567890', ['234-10']), { ok: true, value: '234101234567890' });
    assert.deepEqual(checkImsi('23410123456789', ['23410']), { ok: true, value: '23410123456789' });
    assert.deepEqual(checkImsi('310260123456789', ['234-10', '310-260']), {
      ok: true,
      value: '310260123456789',
    });
    assert.match(
      problemOf(checkImsi('2341012345', ['234-10'])),
      /^an IMSI has 14–15 digits \(MCC \+ MNC \+ MSIN\), got 10/,
    );
    assert.match(problemOf(checkImsi('2341012345678901', ['234-10'])), /got 16/);
    assert.match(problemOf(checkImsi('23410x', ['234-10'])), /an IMSI is digits only/);
  });

  it("refuses an IMSI of another network than the bearer's", () => {
    assert.equal(
      problemOf(checkImsi('310260123456789', ['234-10'])),
      "expected an IMSI of the bearer's network (MCC 234 MNC 10), got 3102*********89",
    );
    // Through checkIdentity (which masks digit runs): a 3-digit MNC stays readable.
    const { problems } = checkIdentity(
      { imsi: '234151234567890' },
      { country: 'GB', mccmnc: ['234-10', '310-260'] },
    );
    assert.equal(
      problems[0]?.problem,
      "expected an IMSI of the bearer's network (MCC 234 MNC 10 or MCC 310 MNC 260), got 2341*********90",
    );
  });

  it('takes a Luhn-valid 15-digit IMEI or a 16-digit IMEISV, nothing shorter', () => {
    assert.deepEqual(checkImei('35-693803-564380-9'), { ok: true, value: '356938035643809' });
    assert.deepEqual(checkImei('3569380356438001'), { ok: true, value: '3569380356438001' });
    assert.match(problemOf(checkImei('356938035643808')), /Luhn check digit, and 3569\*+08 fails the check/);
    assert.match(
      problemOf(checkImei('35693803564380')),
      /^expected an IMEI of 15 digits \(an IMEISV 16\), got 14 \(3569\*+80\); write all 15/,
    );
    assert.match(problemOf(checkImei('35693803564380912')), /expected an IMEI of 15 digits .*got 17/);
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
        O2,
        'x',
      ),
      { msisdn: '447700900123', imsi: '234101234567890', imei: '356938035643809' },
    );
    assert.deepEqual(parseIdentity({}, O2, 'x'), {});
    assert.deepEqual(parseIdentity(undefined, O2, 'x'), {});
  });

  it('names the field and masks the value', () => {
    rejects(
      { msisdn: '077009001234567' },
      /identity\.msisdn: expected a GB mobile number/,
      '077009001234567',
    );
    rejects({ imsi: '2341012345' }, /identity\.imsi: an IMSI has 14–15 digits/, '2341012345');
    rejects(
      { imei: '35693803564380912' },
      /identity\.imei: expected an IMEI of 15 digits/,
      '35693803564380912',
    );
    rejects(
      { imsi: '310260123456789' },
      /identity\.imsi: expected an IMSI of the bearer's network/,
      '310260123456789',
    );
    rejects({ msisdn: '+14155550123' }, /identity\.msisdn: expected a GB mobile number/, '14155550123');
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

describe('model/identity: checkIdentity', () => {
  it('reports every bad field at once, masked, and keeps the good ones', () => {
    const { identity, problems } = checkIdentity(
      { msisdn: '4477009002', imsi: '310260123456789', imei: '356938035643809', imie: 'x' },
      O2,
    );
    assert.deepEqual(identity, { imei: '356938035643809' });
    assert.deepEqual(
      problems.map((p) => p.field),
      ['imie', 'msisdn', 'imsi'],
    );
    for (const p of problems) assert.ok(!/\d{7,}/.test(p.problem), p.problem);
  });
});
