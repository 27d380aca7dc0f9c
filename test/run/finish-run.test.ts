import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checksOf } from '../../src/detect/evaluate.ts';
import { validateFarm } from '../../src/farm/index.ts';
import type { Finding } from '../../src/model/finding.ts';
import { RULE_IDS } from '../../src/model/rules.ts';
import { runSummarySchema } from '../../src/report/summary-schema.ts';
import { finishRun, handsetSummary, NO_RESULT } from '../../src/run/finish-run.ts';
import { judged, notChecked, readHandsetResult, writeHandsetResult } from '../../src/run/handset-result.ts';
import type { Session, SessionPlan } from '../../src/run/session.ts';
import { handsetResult } from '../support/handset-result.ts';

const farm = validateFarm(
  {
    name: 'unit',
    handsets: ['a', 'b', 'c'].map((id, i) => ({
      id,
      bearer: ['o2', 'giffgaff', 'tesco'][i],
      emulate: 'Pixel 7',
      proxy: 'direct',
      identity: { msisdn: `44770090012${i}` },
    })),
  },
  'unit.json',
);
const noDetail = { identifier: null, form: null, encoding: [], sentBy: null };
const missingAlt: Finding = {
  rule: 'incomplete',
  severity: 'minor',
  probe: 'alt',
  header: '(none)',
  evidence: 'planned probe was never captured',
  detail: noDetail,
};
const leak: Finding = {
  rule: 'identity-header',
  severity: 'critical',
  probe: 'nav',
  header: 'x-up-calling-line-id',
  evidence: 'identity header at the third-party host',
  detail: { ...noDetail, sentBy: 'network' },
};

describe('run/handset-result', () => {
  it('notChecked: broken, no made-up finding, the reason as failure', () => {
    const o = notChecked('endpoint down');
    assert.deepEqual([o.verdict, o.findings, o.failure], ['broken', [], 'endpoint down']);
    // Every rule is broken (not checked), none passed or skipped.
    assert.deepEqual(
      o.checks.map((c) => [c.rule, c.status, c.reason]),
      RULE_IDS.map((r) => [r, 'broken', 'not checked: endpoint down']),
    );
  });

  it('judged: a broken judgement says which probes made it broken; pass and fail have no failure', () => {
    assert.equal(judged({ verdict: 'pass', findings: [], checks: [] }).failure, null);
    assert.equal(judged({ verdict: 'fail', findings: [leak, missingAlt], checks: [] }).failure, null);
    assert.equal(
      judged({ verdict: 'broken', findings: [missingAlt, { ...missingAlt, probe: 'alt-tls' }], checks: [] })
        .failure,
      '2 planned probe(s) not captured or not judged: alt, alt-tls',
    );
  });

  it('round-trips a result; a missing or foreign file reads as no result (fail closed)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-result-'));
    try {
      await writeHandsetResult(dir, handsetResult('a'));
      assert.deepEqual(await readHandsetResult(dir, 'a'), handsetResult('a'));
      assert.equal(await readHandsetResult(dir, 'b'), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('run/finish-run', () => {
  let dir: string;
  let session: Session;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-finish-'));
    const plan = {
      farmPath: 'unit.json',
      reportDir: dir,
      runId: '2026-12-01T10-00-00-000Z-abcdef',
      runDir: path.join(dir, '2026-12-01T10-00-00-000Z-abcdef'),
      startedAt: '2026-12-01T10:00:00.000Z',
      tag: 'nightly',
      endpoint: { kind: 'remote', url: 'http://127.0.0.1:9' },
      simPorts: {},
      handsetIds: ['a', 'b', 'c'],
    } as SessionPlan;
    session = { plan, farm, handsets: farm.handsets };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('handsetSummary: duration from worker start to verdict; no result is broken with attempts 0', () => {
    const [a] = farm.handsets;
    const s = handsetSummary(a!, handsetResult('a'), 'direct');
    assert.equal(s.durationMs, 2500);
    assert.equal(s.attempts, 1);
    assert.deepEqual(s.policy, a!.policy);
    const missing = handsetSummary(a!, undefined, 'direct');
    assert.deepEqual(
      {
        verdict: missing.verdict,
        failure: missing.failure,
        attempts: missing.attempts,
        durationMs: missing.durationMs,
      },
      { verdict: 'broken', failure: NO_RESULT, attempts: 0, durationMs: null },
    );
  });

  it('writes a summary that validates, junit.xml, Allure metadata; prints the verdict before the report is generated', async () => {
    await writeHandsetResult(session.plan.runDir, handsetResult('a'));
    await writeHandsetResult(
      session.plan.runDir,
      handsetResult('b', {
        bearer: 'giffgaff',
        verdict: 'fail',
        findings: [leak],
        checks: checksOf([leak], {}),
        attempts: 2,
      }),
    );
    // c left no result: its worker crashed.
    const events: string[] = [];
    const summary = await finishRun(session, {
      log: (line) => events.push(`log:${line}`),
      generateReport: async () => {
        events.push('generate');
        return 'allure report not generated: no java';
      },
    });
    const written = JSON.parse(await readFile(path.join(session.plan.runDir, 'summary.json'), 'utf8'));
    assert.deepEqual(written, summary);
    assert.equal(runSummarySchema.safeParse(written).success, true);
    assert.equal(summary.verdict, 'fail');
    assert.equal(summary.tag, 'nightly');
    assert.equal(summary.runId, session.plan.runId);
    assert.deepEqual(
      summary.handsets.map((h) => [h.id, h.verdict, h.attempts, h.failure]),
      [
        ['a', 'pass', 1, null],
        ['b', 'fail', 2, null],
        ['c', 'broken', 0, NO_RESULT],
      ],
    );
    const verdictAt = events.findIndex((e) => e.includes('verdict: FAIL'));
    assert.ok(verdictAt >= 0 && verdictAt < events.indexOf('generate'), events.join('\n'));
    assert.ok(events.includes('log:warning: allure report not generated: no java'));
    const junit = await readFile(path.join(session.plan.runDir, 'junit.xml'), 'utf8');
    assert.match(junit, /<failure type="identity-header"/);
    const categories = JSON.parse(
      await readFile(path.join(session.plan.runDir, 'allure-results', 'categories.json'), 'utf8'),
    );
    assert.ok(categories.some((c: { name: string }) => c.name === 'Identity leak'));
  });

  it('a run that never started: every handset broken with the launcher reason, exit verdict broken', async () => {
    const summary = await finishRun(session, {
      log: () => {},
      whyMissing: 'the run could not start: the capture endpoint http://127.0.0.1:9 cannot be used',
      generateReport: async () => undefined,
    });
    assert.equal(summary.verdict, 'broken');
    for (const h of summary.handsets) {
      assert.deepEqual(h.findings, []);
      assert.match(h.failure!, /could not start: the capture endpoint http:\/\/127\.0\.0\.1:9/);
    }
  });
});
