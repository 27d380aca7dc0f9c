import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { evaluate, RULE_SEVERITY, resolvePolicies, type ScanCapture } from '../../src/detect/index.ts';
import { RULE_IDS } from '../../src/model/finding.ts';
import { assertMasked, BROWSER, IDENTITY, IMEI, IMSI, MSISDN, O2, pair, rules } from './helpers.ts';

const SECRETS = [MSISDN, IMSI, IMEI, '07700900123', '7700900123', IMEI.slice(0, 14)];

function judge(captures: ScanCapture[], extra: Partial<Parameters<typeof evaluate>[0]> = {}) {
  const j = evaluate({ policy: O2, identity: IDENTITY, captures, ...extra });
  assertMasked(j.findings, SECRETS);
  return j;
}

function partner(headers: [string, string][], opts: { probe?: string; tls?: boolean } = {}): ScanCapture {
  return {
    probe: opts.probe ?? 'partner',
    role: 'partner',
    tls: opts.tls ?? false,
    host: 'partner.localhost',
    url: '/t/tok/partner',
    headers: [['Host', 'partner.localhost'], ...headers],
  };
}

describe('detect/evaluate: verdicts', () => {
  it('passes a clean run with the default allowlist (Via, X-Forwarded-For, Forwarded)', () => {
    const j = judge(
      pair([
        ['Via', '1.1 gw-lon-03.o2.co.uk'],
        ['X-Forwarded-For', '10.120.34.56'],
        ['Forwarded', 'for=10.1.2.3'],
      ]),
    );
    assert.deepEqual({ verdict: j.verdict, findings: j.findings }, { verdict: 'pass', findings: [] });
  });

  it('replays the O2 2012 incident: fail, every rule whose condition holds reported', () => {
    const j = judge(pair([['x-up-calling-line-id', MSISDN]]));
    assert.equal(j.verdict, 'fail');
    assert.deepEqual(rules(j.findings), [
      'identity-header',
      'identity-value',
      'identity-like-value',
      'unexpected-injection',
    ]);
    assert.match(j.findings[2]!.evidence, /it is the known identifier/);
    for (const f of j.findings) {
      assert.equal(f.probe, 'nav');
      assert.equal(f.header, 'x-up-calling-line-id');
      assert.equal(f.severity, RULE_SEVERITY[f.rule]);
    }
    assert.match(j.findings[1]!.evidence, /MSISDN 4477\*{6}23/);
  });

  it('fail wins over broken, and both are reported', () => {
    const j = judge(pair([['x-msisdn', '1']]), { plan: ['nav', 'nav-tls', 'img'] });
    assert.equal(j.verdict, 'fail');
    assert.ok(rules(j.findings).includes('incomplete'));
  });

  it('is broken (never pass) when a planned probe is missing', () => {
    const j = judge(pair(), { plan: ['nav', 'nav-tls', 'img', 'img-tls'] });
    assert.equal(j.verdict, 'broken');
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.probe]),
      [
        ['incomplete', 'img'],
        ['incomplete', 'img-tls'],
      ],
    );
  });

  it('is broken when a named twin was never captured', () => {
    const [http] = pair();
    const j = judge([http!]);
    assert.equal(j.verdict, 'broken');
    assert.equal(j.findings[0]!.probe, 'nav-tls');
  });

  it('is broken, not pass, with no captures at all', () => {
    assert.equal(judge([]).verdict, 'broken');
  });

  it('documents a severity for every rule on Allure’s scale', () => {
    for (const r of RULE_IDS)
      assert.ok(['blocker', 'critical', 'normal', 'minor', 'trivial'].includes(RULE_SEVERITY[r]));
  });
});

describe('detect/evaluate: identity-header', () => {
  it('flags a catalogue name whatever its value, even empty', () => {
    const j = judge(pair([['X-UIDH', '']]));
    assert.deepEqual(rules(j.findings).slice(0, 1), ['identity-header']);
    assert.match(j.findings[0]!.evidence, /Verizon/);
  });

  it('matches name patterns by token, not substring', () => {
    for (const name of [
      'x-vf-acr',
      'X-ACR',
      'x-subscriber-msisdn',
      'x_imsi_hash',
      'x-calling-line-id',
      'X-MSISDN2',
    ]) {
      assert.ok(rules(judge(pair([[name, 'abc']])).findings).includes('identity-header'), name);
    }
    for (const name of ['x-macro', 'x-imsilent', 'x-academic', 'x-mdna']) {
      assert.ok(!rules(judge(pair([[name, 'abc']])).findings).includes('identity-header'), name);
    }
  });

  it('flags a catalogue cookie inside the Cookie header', () => {
    const j = judge(pair([['Cookie', 'User-Identity-Forward-msisdn=abc']]));
    assert.ok(j.findings.some((f) => f.rule === 'identity-header' && f.header === 'Cookie'));
  });

  it('flags it over TLS too, saying the device sent it', () => {
    const [http, tls] = pair();
    tls!.headers.push(['x-up-subno', 'T_ILL_CHI_1311']);
    const j = judge([http!, tls!]);
    const f = j.findings.find((x) => x.rule === 'identity-header')!;
    assert.equal(f.probe, 'nav-tls');
    assert.match(f.evidence, /device itself/);
  });

  it('tolerates identity headers on the partner host', () => {
    const j = judge([...pair(), partner([['x-up-calling-line-id', MSISDN]])]);
    assert.equal(j.verdict, 'pass');
  });
});

describe('detect/evaluate: identity-value', () => {
  it('flags a known identifier in any header, with no HTTPS twin at all', () => {
    const only: ScanCapture = { ...pair()[0]!, twin: undefined } as ScanCapture;
    delete (only as { twin?: string }).twin;
    only.headers = [...BROWSER, ['X-Forwarded-For', `10.0.0.1, ${MSISDN}`]];
    const j = judge([only]);
    assert.deepEqual(rules(j.findings), ['identity-value']);
    assert.equal(j.findings[0]!.header, 'X-Forwarded-For');
  });

  it('flags one that the browser also sends over HTTPS, saying so', () => {
    const base = [...BROWSER, ['X-Device', `imei:${IMEI}`] as [string, string]];
    const j = judge(pair([], { base }));
    assert.deepEqual(rules(j.findings), ['identity-value', 'identity-value']);
    assert.match(j.findings[0]!.evidence, /also sent over HTTPS/);
    assert.match(j.findings[1]!.evidence, /over TLS, so the device itself sent it/);
  });

  it('flags an identifier in the URL and in a header name', () => {
    const [http, tls] = pair([[`x-n-${MSISDN}`, '1']]);
    http!.url = `/t/tok/nav?ref=${encodeURIComponent(`+${MSISDN}`)}`;
    const j = judge([http!, tls!]);
    assert.ok(j.findings.some((f) => f.rule === 'identity-value' && f.header === '(url)'));
    assert.ok(j.findings.some((f) => f.rule === 'identity-value' && /header name/.test(f.evidence)));
  });

  it('flags a hashed IMSI and reports only a digest prefix', () => {
    const d = createHash('sha256').update(IMSI).digest('hex');
    const j = judge(pair([['X-Sub-Hash', d]]));
    const f = j.findings.find((x) => x.rule === 'identity-value')!;
    assert.match(f.evidence, /IMSI 2341\*+90 as SHA-256 \(hex\)/);
    assert.ok(!f.evidence.includes(d));
  });

  it('tolerates the known identifier on the partner host', () => {
    const j = judge([
      ...pair(),
      partner([['x-up-calling-line-id', MSISDN]]),
      partner([], { probe: 'partner-tls', tls: true }),
    ]);
    assert.equal(j.verdict, 'pass');
  });

  it('does not flag a site cookie named like an identifier holding some other number (HTTP and HTTPS)', () => {
    const base = [
      ...BROWSER.filter(([n]) => n !== 'Cookie'),
      ['Cookie', 'msisdn=447911555123'] as [string, string],
    ];
    assert.equal(judge(pair([], { base })).verdict, 'pass');
  });

  it('does not flag a number the site itself set in a cookie (present over HTTP and HTTPS)', () => {
    const base = [
      ...BROWSER.filter(([n]) => n !== 'Cookie'),
      ['Cookie', 'uid=447911555123; ts=1700000000'] as [string, string],
    ];
    assert.equal(judge(pair([], { base })).verdict, 'pass');
  });
});

describe('detect/evaluate: identity-like-value', () => {
  const like = (value: string, name = 'X-Gw-Info') => judge(pair([[name, value]]), { identity: {} });

  it('flags an injected value shaped like a GB mobile number (drama range included)', () => {
    for (const v of ['447700900555', '+44 7700 900555', '07911 123456', '00447911123456', 'n=7911123456']) {
      const j = like(v);
      assert.ok(rules(j.findings).includes('identity-like-value'), v);
    }
  });

  it('flags an IMSI of the bearer’s MCC-MNC and a Luhn-valid IMEI', () => {
    assert.match(
      like('234109876543210').findings.find((f) => f.rule === 'identity-like-value')!.evidence,
      /234-10/,
    );
    assert.ok(rules(like('490154203237518').findings).includes('identity-like-value'));
  });

  it('does not flag an IMEISV alone, a Luhn-invalid 15-digit value, or another MCC-MNC', () => {
    for (const v of ['4901542032375101', '490154203237519', '310410123456789']) {
      assert.ok(!rules(like(v).findings).includes('identity-like-value'), v);
    }
  });

  it('flags it in an allowlisted header and in the part of a header the gateway rewrote', () => {
    assert.ok(
      rules(like('10.0.0.1, 447700900555', 'X-Forwarded-For').findings).includes('identity-like-value'),
    );
    const ua = BROWSER[3]![1];
    const j = like(`${ua} MSISDN/447700900555`, 'X-Ignored');
    assert.ok(rules(j.findings).includes('identity-like-value'));
    const rewritten = pair([]);
    rewritten[0]!.headers = rewritten[0]!.headers.map(([n, v]) => [
      n,
      n === 'User-Agent' ? `${v} 447700900555` : v,
    ]);
    const r = evaluate({ policy: O2, identity: {}, captures: rewritten });
    assert.deepEqual(rules(r.findings), ['identity-like-value', 'unexpected-injection']);
    assert.equal(r.findings[0]!.header, 'User-Agent');
  });

  it('ignores IP addresses, timestamps and values the browser sent over HTTPS too', () => {
    assert.equal(like('100.100.100.100, 10.12.34.56', 'X-Forwarded-For').verdict, 'pass');
    assert.ok(!rules(like('1700000000123').findings).includes('identity-like-value'));
    const base = [...BROWSER, ['X-Phone', '447911123456'] as [string, string]];
    assert.equal(evaluate({ policy: O2, identity: {}, captures: pair([], { base }) }).verdict, 'pass');
  });

  it('needs a control: without HTTPS captures it does not guess', () => {
    const only = { ...pair([['X-Gw', '447700900555']])[0]!, twin: undefined } as ScanCapture;
    delete (only as { twin?: string }).twin;
    assert.equal(evaluate({ policy: O2, identity: {}, captures: [only] }).verdict, 'pass');
  });
});

describe('detect/evaluate: unexpected-injection', () => {
  it('flags a header absent from the twin (names compared case-insensitively)', () => {
    const [http, tls] = pair([['X-Gateway-Trace', 'abc']]);
    tls!.headers = tls!.headers.map(([n, v]) => [n.toLowerCase(), v]);
    const j = judge([http!, tls!]);
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.header]),
      [['unexpected-injection', 'X-Gateway-Trace']],
    );
  });

  it('ignores headers browsers vary by scheme or request kind', () => {
    const [http, tls] = pair([
      ['Origin', 'http://probe.localhost'],
      ['Referer', 'http://probe.localhost/'],
      ['Sec-Fetch-Site', 'same-origin'],
      ['Proxy-Connection', 'keep-alive'],
    ]);
    tls!.headers.push(['sec-ch-ua-mobile', '?1']);
    http!.headers = http!.headers.map(([n, v]) => [n, n === 'Accept-Encoding' ? 'gzip, deflate, br' : v]);
    assert.equal(judge([http!, tls!]).verdict, 'pass');
  });

  it('counts a Cookie the gateway extended and a User-Agent it appended to', () => {
    const [http, tls] = pair();
    http!.headers = http!.headers.map(([n, v]) => {
      if (n === 'Cookie') return [n, `${v}; gwsess=ab12cd`];
      if (n === 'User-Agent') return [n, `${v} O2Gateway/2.1`];
      return [n, v];
    });
    const j = judge([http!, tls!]);
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.header]),
      [
        ['unexpected-injection', 'User-Agent'],
        ['unexpected-injection', 'Cookie'],
      ],
    );
    assert.match(j.findings[1]!.evidence, /gwsess/);
  });

  it('uses the policy allowlist, which replaces the default list', () => {
    const strict = resolvePolicies(BUILTIN_POLICIES, [
      { id: 'strict', parent: 'o2', allowInjected: ['x-wap-profile'] },
    ]).get('strict')!;
    const j = evaluate({
      policy: strict,
      identity: IDENTITY,
      captures: pair([
        ['Via', '1.1 gw'],
        ['x-wap-profile', 'http://x/p.xml'],
      ]),
    });
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.header]),
      [['unexpected-injection', 'Via']],
    );
  });

  it('falls back to HTTPS captures of the same role, same host first, when no twin is named', () => {
    const [http, tls] = pair([['X-Added', '1']]);
    delete (http as { twin?: string }).twin;
    const other: ScanCapture = {
      ...tls!,
      probe: 'other-tls',
      host: 'elsewhere.localhost',
      headers: [...tls!.headers, ['X-Added', '1']],
    };
    const j = judge([http!, tls!, other]);
    assert.deepEqual(rules(j.findings), ['unexpected-injection']);
    assert.match(j.findings[0]!.evidence, /nav-tls/);
  });

  it('on the partner host, tolerates expected enrichment but flags other injections', () => {
    const j = judge([
      ...pair(),
      partner([
        ['x-up-calling-line-id', MSISDN],
        ['X-Track', 'zz'],
      ]),
      partner([], { probe: 'partner-tls', tls: true }),
    ]);
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.probe, f.header]),
      [['unexpected-injection', 'partner', 'X-Track']],
    );
  });
});

describe('detect/evaluate: partner-enrichment-missing and spoofable', () => {
  const billing = resolvePolicies(BUILTIN_POLICIES, [
    { id: 'o2-billing', parent: 'o2', partnerEnrichment: ['X-Up-Calling-Line-Id'] },
  ]).get('o2-billing')!;

  it('passes when the partner host receives the enrichment', () => {
    const j = evaluate({
      policy: billing,
      identity: IDENTITY,
      captures: [
        ...pair(),
        partner([['x-up-calling-line-id', MSISDN]]),
        partner([], { probe: 'partner-tls', tls: true }),
      ],
    });
    assert.deepEqual({ verdict: j.verdict, findings: j.findings }, { verdict: 'pass', findings: [] });
  });

  it('fails when it does not (TLS partner captures are not expected to carry it)', () => {
    const j = evaluate({
      policy: billing,
      identity: IDENTITY,
      captures: [...pair(), partner([]), partner([], { probe: 'partner-tls', tls: true })],
    });
    assert.equal(j.verdict, 'fail');
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.probe, f.header]),
      [['partner-enrichment-missing', 'partner', 'x-up-calling-line-id']],
    );
  });

  it('is broken when enrichment is expected but no plain-HTTP partner capture exists', () => {
    assert.equal(evaluate({ policy: billing, identity: IDENTITY, captures: pair() }).verdict, 'broken');
  });

  const canary = { header: 'x-up-calling-line-id', value: '440000000001' };

  it('flags a canary that reached the partner host unchanged', () => {
    const j = judge([...pair(), partner([['X-Up-Calling-Line-Id', '440000000001']], { probe: 'canary' })], {
      canary,
    });
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.probe, f.severity]),
      [['spoofable', 'canary', 'critical']],
    );
  });

  it('passes when the gateway overwrote or stripped the canary', () => {
    assert.equal(
      judge([...pair(), partner([['x-up-calling-line-id', MSISDN]], { probe: 'canary' })], { canary })
        .verdict,
      'pass',
    );
    assert.equal(judge([...pair(), partner([], { probe: 'canary' })], { canary }).verdict, 'pass');
  });
});
