import assert from 'node:assert/strict';
import { needlesFor, type ScanCapture } from '../../src/detect/index.ts';
import type { Finding } from '../../src/model/finding.ts';
import { probePairRows, renderProbePairHtml } from '../../src/report/masked-capture.ts';

const secrets = needlesFor({ msisdn: '447700900123', imsi: '234100000900123' }, 'GB').secrets;
const http: ScanCapture = {
  probe: 'nav',
  role: 'third-party',
  tls: false,
  host: 'probe.localhost:80',
  url: '/p/t/nav',
  twin: 'nav-tls',
  headers: [
    ['Host', 'probe.localhost'],
    ['x-up-calling-line-id', '447700900123'],
    ['X-Session-Ref', 'NDQ3NzAwOTAwMTIz'],
    ['Cookie', 'a=1; b=07700900123'],
    ['Accept', 'text/html'],
    ['accept', '*/*'],
  ],
};
const twin: ScanCapture = {
  ...http,
  probe: 'nav-tls',
  tls: true,
  headers: [['Host', 'probe.localhost:443']],
};
const findings: Finding[] = [
  {
    rule: 'identity-value',
    severity: 'blocker',
    probe: 'nav',
    header: 'X-Session-Ref',
    evidence: 'x',
    detail: { identifier: 'MSISDN', form: "E.164 without '+'", encoding: [], sentBy: 'network' },
  },
];

describe('report/masked-capture', () => {
  const rows = probePairRows(http, twin, findings, secrets);

  it('pairs headers case-insensitively, keeping duplicates and marking absence', () => {
    const accept = rows.find((r) => r.header === 'Accept')!;
    assert.deepEqual(accept.probe, ['text/html', '*/*']);
    assert.equal(accept.twin, undefined);
    assert.deepEqual(rows.find((r) => r.header === 'Host')!.twin, ['probe.localhost:443']);
  });

  it('masks known identifiers in any header, national forms included', () => {
    assert.deepEqual(rows.find((r) => r.header === 'x-up-calling-line-id')!.probe, ['4477******23']);
    assert.deepEqual(rows.find((r) => r.header === 'Cookie')!.probe, ['a=1; b=0770*****23']);
  });

  it('shows a header named by a finding only as a short prefix', () => {
    const row = rows.find((r) => r.header === 'X-Session-Ref')!;
    assert.equal(row.flagged, true);
    assert.equal(row.probe![0], 'NDQ3…(16 chars)');
  });

  it('renders HTML with every value escaped and nothing unmasked', () => {
    const html = renderProbePairHtml(
      { ...http, headers: [...http.headers, ['X-Evil', '<script>']] },
      twin,
      findings,
      secrets,
    );
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&lt;script&gt;'));
    for (const secret of ['447700900123', '07700900123', 'NDQ3NzAwOTAwMTIz'])
      assert.ok(!html.includes(secret), secret);
  });
});
