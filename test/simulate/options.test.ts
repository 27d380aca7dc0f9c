import assert from 'node:assert/strict';
import { UserError } from '../../src/shared/errors.ts';
import { parseSimSpec, type SimulatorOptions, startSimulator } from '../../src/simulate/index.ts';
import {
  checkUpstreamTimeoutSeconds,
  resolveOptions,
  simSubscriberBearer,
} from '../../src/simulate/options.ts';

function userError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.message, pattern);
    assert.equal(err.message.includes('\n'), false, 'one line');
    assert.equal(/\d{7,}/.test(err.message), false, `no long digit run in: ${err.message}`);
    return true;
  });
}

describe('simulate: subscriber identifiers (the rules of src/model/identity.ts)', () => {
  const ok: SimulatorOptions = { bearer: 'o2', msisdn: '447700900123' };
  const msisdnOf = (msisdn: string) => resolveOptions({ ...ok, msisdn }).gateway.msisdn;

  it('normalises the MSISDN to E.164 digits without "+", reading national numbers as the bearer\'s (GB)', () => {
    for (const v of ['447700900123', '+447700900123', '07700900123', '00447700900123', '07700 900123']) {
      assert.equal(msisdnOf(v), '447700900123', v);
    }
  });

  it("refuses a number that is not a mobile number of the bearer's country, or a mistyped one", () => {
    userError(
      () => msisdnOf('4477009002'),
      /^--msisdn: expected a GB mobile number .*, got 4477\*+02 \(8 digits after \+44/,
    );
    userError(
      () => msisdnOf('+14155550123'),
      /^--msisdn: expected a GB mobile number .*\(a \+1 \(US\) number/,
    );
    userError(() => msisdnOf('02079460123'), /^--msisdn: .*a fixed-line number, not a mobile one/);
  });

  it('refuses malformed numbers in one masked line naming --msisdn', () => {
    userError(() => msisdnOf('12'), /^--msisdn: expected a GB mobile number .*\(not a phone number\)$/);
    userError(() => msisdnOf('4477009001234567'), /^--msisdn: .*more than 15 digits/);
    userError(() => msisdnOf('abc'), /^--msisdn: expected a GB mobile number .*; a phone number is digits/);
    userError(() => msisdnOf(''), /^--msisdn: is empty/);
    userError(() => msisdnOf('+07700900123'), /^--msisdn: .*comes a country calling code, not 0/);
  });

  it("checks the IMSI: 14-15 digits, of the bearer's network (234-10, giffgaff and Tesco inheriting O2's)", () => {
    assert.equal(resolveOptions({ ...ok, imsi: '234101234567890' }).gateway.imsi, '234101234567890');
    assert.deepEqual(simSubscriberBearer('giffgaff'), { country: 'GB', mccmnc: ['234-10'] });
    assert.deepEqual(simSubscriberBearer('tesco'), { country: 'GB', mccmnc: ['234-10'] });
    userError(
      () => resolveOptions({ ...ok, bearer: 'tesco', imsi: '310260123456789' }),
      /^--imsi: expected an IMSI of the bearer's network \(MCC 234 MNC 10\), got 3102\*+89$/,
    );
    userError(() => resolveOptions({ ...ok, imsi: '23410x' }), /^--imsi: an IMSI is digits only/);
    userError(() => resolveOptions({ ...ok, imsi: '2341012345' }), /^--imsi: an IMSI has 14–15 digits/);
  });
});

describe('simulate: parseSimSpec', () => {
  it('parses sim:<bearer>[:<fault>]', () => {
    assert.deepEqual(parseSimSpec('sim:o2'), { bearer: 'o2' });
    assert.deepEqual(parseSimSpec('sim:o2@127.0.0.2'), { bearer: 'o2', egress: '127.0.0.2' });
    assert.deepEqual(parseSimSpec('sim:tesco:o2-2012@::1'), {
      bearer: 'tesco',
      fault: 'o2-2012',
      egress: '::1',
    });
    assert.throws(
      () => parseSimSpec('sim:o2@nowhere'),
      /after @ comes the simulator's egress, an IP address/,
    );
    assert.deepEqual(parseSimSpec('sim:giffgaff:o2-2012'), { bearer: 'giffgaff', fault: 'o2-2012' });
    assert.deepEqual(parseSimSpec('sim:tesco:first-request-only'), {
      bearer: 'tesco',
      fault: 'first-request-only',
    });
  });

  it('names what is wrong, in one line', () => {
    const cases: [string, RegExp][] = [
      ['o2', /must look like sim:<bearer>\[:<fault>\]/],
      ['http://127.0.0.1:8080', /must look like sim:/],
      ['sim:', /names no bearer/],
      ['sim:vodafone', /unknown bearer "vodafone".*o2, giffgaff, tesco/],
      ['sim:o2:o2-2013', /unknown fault "o2-2013".*o2-2012/],
      ['sim:o2:', /unknown fault ""/],
      ['sim:o2:o2-2012:extra', /too many parts/],
    ];
    for (const [spec, pattern] of cases) {
      assert.throws(
        () => parseSimSpec(spec),
        (err: unknown) => err instanceof Error && pattern.test(err.message) && !err.message.includes('\n'),
        spec,
      );
    }
  });
});

describe('simulate: options', () => {
  const ok: SimulatorOptions = { bearer: 'o2', msisdn: '447700900123' };

  it('fills in defaults', () => {
    const r = resolveOptions(ok);
    assert.deepEqual(r.gateway, { bearer: 'o2', msisdn: '447700900123', partnerHost: 'partner.localhost' });
    assert.equal(r.port, 0);
    assert.equal(r.host, '127.0.0.1');
  });

  it('lower-cases the partner host and accepts the main port', () => {
    const r = resolveOptions({
      ...ok,
      partnerHost: 'Billing.Partner.localhost',
      mainPort: 8080,
      fault: 'alt-port-only',
    });
    assert.equal(r.gateway.partnerHost, 'billing.partner.localhost');
    assert.equal(r.gateway.mainPort, 8080);
  });

  it('refuses bad values in one line', () => {
    userError(() => resolveOptions({ ...ok, bearer: 'vodafone' as 'o2' }), /unknown bearer "vodafone"/);
    userError(() => resolveOptions({ ...ok, fault: 'nope' as 'o2-2012' }), /unknown fault "nope"/);
    userError(() => resolveOptions({ ...ok, port: 70000 }), /--port must be a port number/);
    userError(() => resolveOptions({ ...ok, port: -1 }), /--port/);
    userError(() => resolveOptions({ ...ok, port: 1.5 }), /--port/);
    userError(() => resolveOptions({ ...ok, mainPort: 0 }), /--main-port/);
    userError(() => resolveOptions({ ...ok, partnerHost: 'http://x/' }), /--partner-host/);
    userError(() => resolveOptions({ ...ok, msisdn: 'x' }), /--msisdn/);
    userError(() => resolveOptions({ bearer: 'o2' } as SimulatorOptions), /^--msisdn is required$/);
    userError(
      () => resolveOptions({ ...ok, msisdn: 447700900123 as unknown as string }),
      /^--msisdn: expected a string, got a number$/,
    );
    for (const bad of [0, -5, 1.5, Number.NaN, '100' as unknown as number]) {
      userError(() => resolveOptions({ ...ok, upstreamTimeoutMs: bad }), /^upstreamTimeoutMs must be/);
    }
    assert.throws(() => resolveOptions({ ...ok, upstreamTimeoutMs: 3_600_001 }), /at most an hour/);
  });

  it('reads --upstream-timeout in seconds: positive, at most an hour', () => {
    assert.equal(checkUpstreamTimeoutSeconds('30'), 30_000);
    assert.equal(checkUpstreamTimeoutSeconds('0.5'), 500);
    assert.equal(checkUpstreamTimeoutSeconds('3600'), 3_600_000);
    for (const bad of ['0', '0.0001', 'abc', '', '-1', '1e3', '3601', '30s']) {
      userError(() => checkUpstreamTimeoutSeconds(bad), /^--upstream-timeout must be a number of seconds/);
    }
    assert.equal(resolveOptions({ ...ok, upstreamTimeoutMs: 1_500 }).upstreamTimeoutMs, 1_500);
  });

  it('startSimulator rejects bad options without listening', async () => {
    await assert.rejects(startSimulator({ ...ok, bearer: 'ee' as 'o2' }), UserError);
  });

  it('startSimulator reports a port in use in one line', async () => {
    const sim = await startSimulator({ ...ok, logLevel: 'silent' });
    try {
      await assert.rejects(startSimulator({ ...ok, port: sim.port, logLevel: 'silent' }), (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /already in use/);
        return true;
      });
    } finally {
      await sim.close();
    }
  });
});
