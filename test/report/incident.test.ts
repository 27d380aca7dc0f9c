import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.ts';
import { buildIncident, type IncidentRun, probeKind } from '../../src/report/incident.ts';
import { describeExposure, incidentDocument } from '../../src/report/incident-document.ts';
import { renderIncidentHtml, renderIncidentMarkdown } from '../../src/report/incident-render.ts';
import type { RunSummary } from '../../src/report/summary.ts';
import { handsetLine, leakFinding, runSummary } from '../support/run-summary.ts';

const META = {
  generatedAt: '2026-12-03T09:00:00.000Z',
  tool: { name: 'headerguard', version: '0.0.0-test' },
};

function run(summary: RunSummary, paths: IncidentRun['paths'] = {}): IncidentRun {
  return { source: `reports/${summary.runId}`, summary, paths };
}

const broken = (id: string) =>
  handsetLine(id, [], { verdict: 'broken', failure: 'the gateway could not be reached' });

describe('incident record (pure model)', () => {
  const t1 = runSummary('2026-12-01T01:00:00.000Z', [
    handsetLine('o2-a', [leakFinding()]),
    handsetLine('o2-b'),
  ]);
  const t2 = runSummary('2026-12-01T02:00:00.000Z', [
    handsetLine('o2-a', [leakFinding(), leakFinding({ probe: 'img-tls' })]),
    handsetLine('o2-b', [leakFinding({ probe: 'fetch' })]),
  ]);
  const t3 = runSummary('2026-12-01T03:00:00.000Z', [broken('o2-a'), handsetLine('o2-b')]);
  const t4 = runSummary('2026-12-01T04:00:00.000Z', [handsetLine('o2-a'), handsetLine('o2-b')]);

  it('names first and last seen, the runs seen in and the first green run after it, whatever the input order', () => {
    const incident = buildIncident([t4, t2, t1, t3].map((s) => run(s)));
    assert.deepEqual(
      incident.runs.map((r) => r.runId),
      [t1, t2, t3, t4].map((s) => s.runId),
    );
    assert.equal(incident.leaks.length, 1);
    const [leak] = incident.leaks;
    assert.equal(leak!.header, 'x-up-calling-line-id');
    assert.equal(leak!.bearer, 'o2');
    assert.deepEqual(leak!.firstSeen, { runId: t1.runId, startedAt: t1.startedAt });
    assert.deepEqual(leak!.lastSeen, { runId: t2.runId, startedAt: t2.startedAt });
    assert.equal(leak!.runsSeen, 2);
    // The broken run at 03:00 is not green: the first green run is the one at 04:00.
    assert.deepEqual(leak!.firstGreenAfter, { runId: t4.runId, startedAt: t4.startedAt });
    assert.deepEqual(incident.firstGreenAfter, { runId: t4.runId, startedAt: t4.startedAt });
    assert.deepEqual(incident.brokenRuns, [{ runId: t3.runId, startedAt: t3.startedAt }]);
    assert.deepEqual(
      leak!.handsets.map((h) => h.id),
      ['o2-a', 'o2-b'],
    );
    assert.deepEqual(leak!.probes, ['nav', 'img-tls', 'fetch']);
    assert.deepEqual(leak!.probeKinds, ['navigation', 'image over HTTPS', 'fetch']);
    assert.deepEqual(incident.handsetsAffected, ['o2-a', 'o2-b']);
    assert.equal(leak!.simulatedOnly, false);
  });

  it('has no first green run while the newest run still leaks', () => {
    const incident = buildIncident([t1, t2].map((s) => run(s)));
    assert.equal(incident.leaks[0]!.firstGreenAfter, null);
    assert.equal(incident.firstGreenAfter, null);
    const md = renderIncidentMarkdown(incidentDocument(incident, META));
    assert.match(md, /First green run after it: none yet \(still failing in the newest run given\)/);
  });

  it('keeps one record per header, bearer, APN and IP family, each with its own first green run', () => {
    const gg = (id: string, findings = [leakFinding()]) => handsetLine(id, findings, { bearer: 'giffgaff' });
    // The APN is the handset's; the IP family is its probe's (a -v6 probe went to the IPv6-only host).
    const o2 = (findings: Finding[]) => handsetLine('o2-a', findings, { apn: 'mobile.o2.co.uk' });
    const a = runSummary('2026-12-01T01:00:00.000Z', [o2([leakFinding({ probe: 'nav-v6' })]), gg('gg-a')]);
    const b = runSummary('2026-12-01T02:00:00.000Z', [o2([]), gg('gg-a')]);
    const incident = buildIncident([run(a), run(b)]);
    const byBearer = new Map(incident.leaks.map((l) => [l.bearer, l]));
    assert.equal(byBearer.size, 2);
    assert.equal(byBearer.get('o2')!.apn, 'mobile.o2.co.uk');
    assert.equal(byBearer.get('o2')!.family, 'IPv6');
    assert.equal(byBearer.get('giffgaff')!.family, 'IPv4');
    assert.equal(byBearer.get('o2')!.firstGreenAfter?.runId, b.runId);
    assert.equal(byBearer.get('giffgaff')!.firstGreenAfter, null);
    assert.equal(byBearer.get('giffgaff')!.lastSeen.runId, b.runId);
    assert.equal(incident.firstGreenAfter, null, 'the run as a whole is not green while giffgaff leaks');
    const md = renderIncidentMarkdown(incidentDocument(incident, META));
    assert.match(md, /\| x-up-calling-line-id \| o2 \| mobile\.o2\.co\.uk \| IPv6 \|/);
    assert.match(md, /\| x-up-calling-line-id \| giffgaff \| not recorded \| IPv4 \|/);
  });

  it('an IPv6 leak is not over while the IPv6 path goes unchecked', () => {
    const o2 = (findings: Finding[], over = {}) => handsetLine('o2-a', findings, over);
    const a = runSummary('2026-12-01T01:00:00.000Z', [o2([leakFinding({ probe: 'img-v6' })])]);
    const b = runSummary('2026-12-01T02:00:00.000Z', [o2([], { ipv6Path: 'not-checked' })]);
    const c = runSummary('2026-12-01T03:00:00.000Z', [o2([])]);
    const leak = buildIncident([run(a), run(b), run(c)]).leaks[0]!;
    assert.equal(leak.family, 'IPv6');
    assert.equal(leak.firstGreenAfter?.runId, c.runId);
  });

  it('files other failing rules apart from identifier exposures, and ignores broken-outcome rules', () => {
    const injected = leakFinding({
      rule: 'unexpected-injection',
      severity: 'normal',
      header: 'X-Tracking-Id',
      evidence: "'X-Tracking-Id' on HTTP, absent from its HTTPS twin",
      detail: { identifier: null, form: null, encoding: [], sentBy: 'network' },
    });
    const s = runSummary('2026-12-01T01:00:00.000Z', [handsetLine('o2-a', [injected])]);
    const incident = buildIncident([run(s)]);
    assert.equal(incident.leaks.length, 0);
    assert.equal(incident.firstSeen, null);
    assert.deepEqual(
      incident.otherFailures.map((l) => [l.header, l.rules]),
      [['X-Tracking-Id', ['unexpected-injection']]],
    );
    const md = renderIncidentMarkdown(incidentDocument(incident, META));
    assert.match(md, /No subscriber identifier reached the probe \(third-party\) host in these runs/);
  });

  it('says what kind of identifier was exposed, in which form and encoding, and who sent it', () => {
    const encoded = leakFinding({
      header: 'X-Session',
      evidence: 'MSISDN as national with trunk prefix (0770****01), URL-encoded → base64, in X-Session',
      detail: {
        identifier: 'MSISDN',
        form: 'national with trunk prefix',
        encoding: ['URL-encoded', 'base64'],
        sentBy: 'network',
      },
    });
    const s = runSummary('2026-12-01T01:00:00.000Z', [handsetLine('o2-a', [encoded])]);
    const [leak] = buildIncident([run(s)]).leaks;
    assert.equal(
      describeExposure(leak!.exposures[0]!),
      'MSISDN as national with trunk prefix, encoded URL-encoded → base64, sent by the network',
    );
  });

  it('marks an exposure seen only through the simulator as a replay', () => {
    const s = runSummary(
      '2026-12-01T01:00:00.000Z',
      [handsetLine('o2-a', [leakFinding()], { gateway: 'sim:o2:o2-2012' })],
      {
        simFault: 'o2-2012',
      },
    );
    const incident = buildIncident([run(s)]);
    assert.equal(incident.leaks[0]!.simulatedOnly, true);
    assert.match(
      renderIncidentMarkdown(incidentDocument(incident, META)),
      /seen through the bearer simulator/,
    );
  });

  it('asks the carrier for every fact the notification needs, prefilled with what was seen', () => {
    const doc = incidentDocument(buildIncident([t1, t4].map((s) => run(s))), META);
    const prompts = doc.blocks.filter((b) => b.kind === 'prompt');
    assert.deepEqual(
      prompts.map((p) => p.id),
      ['nature', 'categories', 'number', 'consequences', 'measures', 'contact'],
    );
    const md = renderIncidentMarkdown(doc);
    assert.match(md, /Approximate number of people and of records concerned/);
    assert.match(md, /Likely consequences/);
    assert.match(md, /Measures taken or proposed/);
    assert.match(md, /To fill in:/);
  });

  it('probe kinds: planned probes by kind, HTTPS twins said so, anything else by its id', () => {
    assert.equal(probeKind('nav'), 'navigation');
    assert.equal(probeKind('alt-tls'), 'fetch over HTTPS');
    assert.equal(probeKind('mystery'), 'mystery');
  });
});

describe('incident record: no full identifier anywhere', () => {
  const MSISDN = '447700900123';
  const IMSI = '234101234567890';
  const IMEI = '356938035643809';
  // A summary that (against the rules) carries raw identifiers in every free-text field the record prints.
  const dirty = runSummary('2026-12-01T01:00:00.000Z', [
    handsetLine(
      `o2-${MSISDN}`,
      [
        leakFinding({
          evidence: `MSISDN ${MSISDN} and +44 7700 900123 in x-up-calling-line-id`,
          probe: `nav-${IMSI}`,
        }),
        leakFinding({
          header: `X-IMEI-${IMEI}`,
          evidence: `IMEI ${IMEI}`,
          detail: { identifier: 'IMEI', form: IMEI, encoding: [IMSI], sentBy: 'network' },
        }),
      ],
      { device: `Pixel ${IMEI}` },
    ),
    handsetLine('o2-b', [], { verdict: 'broken', failure: `gateway refused ${MSISDN}` }),
  ]);
  const paths = { [`o2-${MSISDN}`]: { apn: `apn-${IMSI}`, family: null } };

  for (const [form, render] of [
    ['Markdown', renderIncidentMarkdown],
    ['HTML', renderIncidentHtml],
  ] as const) {
    it(`${form}: none of the raw digits appears, in any spacing`, () => {
      const incident = buildIncident([{ source: `reports/${MSISDN}`, summary: dirty, paths }]);
      const text = render(incidentDocument(incident, META));
      const digitsOnly = text.replace(/[\s+\-.()]/g, '');
      for (const id of [MSISDN, IMSI, IMEI, '7700900123']) {
        assert.ok(!digitsOnly.includes(id), `${form} holds ${id.slice(0, 4)}…`);
      }
      assert.match(text, /4477\*+23/, 'the identifier is shown masked');
    });
  }
});
