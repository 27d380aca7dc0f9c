import assert from 'node:assert/strict';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { DetectInputError, evaluate, parseScanInput } from '../../src/detect/index.ts';
import { IdentityError } from '../../src/model/identity.ts';

const capture = (over: Record<string, unknown> = {}) => ({
  probe: 'nav',
  role: 'third-party',
  tls: false,
  host: 'probe.localhost',
  url: '/t/x/nav',
  headers: [['Host', 'probe.localhost']],
  ...over,
});

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseScanInput(value, 'run.json', BUILTIN_POLICIES),
    (err: unknown) =>
      err instanceof DetectInputError && !err.message.includes('\n') && pattern.test(err.message),
  );
}

describe('detect/scan-input', () => {
  it('resolves a bearer id, normalises the identity and keeps plan and canary', () => {
    const input = parseScanInput(
      {
        bearer: 'tesco',
        identity: { msisdn: '07700 900123' },
        captures: [capture()],
        plan: ['nav'],
        canary: { header: 'x-up-calling-line-id', value: '440000000001' },
      },
      'run.json',
      BUILTIN_POLICIES,
    );
    assert.equal(input.policy.id, 'tesco');
    assert.equal(input.policy.country, 'GB');
    assert.deepEqual(input.identity, { msisdn: '447700900123' });
    assert.deepEqual(input.plan, ['nav']);
    assert.equal(evaluate(input).verdict, 'pass');
  });

  it('finds a bearer id whatever its case', () => {
    assert.equal(
      parseScanInput({ bearer: 'GiffGaff', captures: [] }, 'run.json', BUILTIN_POLICIES).policy.id,
      'giffgaff',
    );
  });

  it('accepts an inline policy that inherits from a built-in', () => {
    const input = parseScanInput(
      { bearer: { id: 'lab', parent: 'o2', allowInjected: ['via'] }, identity: {}, captures: [] },
      'run.json',
      BUILTIN_POLICIES,
    );
    assert.deepEqual(input.policy.allowInjected, ['via']);
    assert.deepEqual(input.policy.mccmnc, ['234-10']);
  });

  it('ignores the extra fields the capture endpoint records', () => {
    const input = parseScanInput(
      {
        bearer: 'o2',
        identity: {},
        captures: [capture({ listener: 'main', method: 'GET', receivedAt: 'x' })],
      },
      'run.json',
      BUILTIN_POLICIES,
    );
    assert.deepEqual(Object.keys(input.captures[0]!), ['probe', 'role', 'tls', 'host', 'url', 'headers']);
  });

  it('rejects bad shapes with one line naming the field', () => {
    rejects(
      { bearer: 'o2', identity: {}, captures: [capture({ role: 'partner-host' })] },
      /^run\.json: captures\[0\]\.role: expected one of "third-party", "partner", got "partner-host"$/,
    );
    rejects(
      { bearer: 'o2', identity: {}, captures: [capture({ headers: [['a']] })] },
      /captures\[0\]\.headers\[0\]/,
    );
    rejects(
      { bearer: 'o2', identity: {}, captures: [capture({ twinn: 'x' })] },
      /^run\.json: captures\[0\]\.twinn: unknown key "twinn" \(known: probe, role, tls, host, url, twin, headers, .*; did you mean "twin"\?\)$/,
    );
    rejects(
      { bearer: 'o2', identity: {}, captures: [], canary: { header: 'x' } },
      /^run\.json: canary\.value: expected a string, got nothing$/,
    );
    rejects(
      { bearer: 'o2', identity: {}, captures: [capture({ tls: 'no' })] },
      /^run\.json: captures\[0\]\.tls: expected a boolean, got a string$/,
    );
    rejects({ bearer: 42, identity: {}, captures: [] }, /bearer: expected a bearer id or an inline policy/);
    rejects([], /^run\.json: \(top level\): expected an object, got an array$/);
  });

  it("checks the identity against the scan file's bearer: its country and MCC-MNCs", () => {
    const refuses = (value: unknown, pattern: RegExp) =>
      assert.throws(
        () => parseScanInput(value, 'run.json', BUILTIN_POLICIES),
        (err: unknown) => {
          assert.ok(err instanceof IdentityError, String(err));
          assert.match(err.message, pattern);
          return true;
        },
      );
    refuses(
      { bearer: 'o2', identity: { msisdn: '+14155550123' }, captures: [] },
      /^run\.json: identity\.msisdn: expected a GB mobile number .*\(a \+1 \(US\) number, not a \+44 one\)$/,
    );
    refuses(
      { bearer: 'tesco', identity: { imsi: '310260123456789' }, captures: [] },
      /^run\.json: identity\.imsi: expected an IMSI of the bearer's network \(MCC 234 MNC 10\)/,
    );
    const us = { id: 'us-lab', country: 'US', mccmnc: ['310-260'] };
    const input = parseScanInput(
      { bearer: us, identity: { msisdn: '+1 415 555 0123', imsi: '310260123456789' }, captures: [] },
      'run.json',
      BUILTIN_POLICIES,
    );
    assert.deepEqual(input.identity, { msisdn: '14155550123', imsi: '310260123456789' });
  });

  it('rejects a twin that is not an HTTPS capture', () => {
    rejects(
      { bearer: 'o2', identity: {}, captures: [capture({ twin: 'img' }), capture({ probe: 'img' })] },
      /captures\[0\]\.twin: 'img' is not an HTTPS/,
    );
    rejects(
      { bearer: 'o2', identity: {}, captures: [capture({ tls: true, twin: 'x' })] },
      /only a plain-HTTP capture/,
    );
  });
});
