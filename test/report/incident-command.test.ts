import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { incidentOutputs } from '../../src/cli/incident-command.ts';
import type { RunSummary } from '../../src/report/summary.ts';
import { runCli } from '../support/cli.ts';
import { handsetLine, leakFinding, runSummary } from '../support/run-summary.ts';

// `headerguard incident` on run folders written here (no browser): bad input, outputs, optional APN/family.

describe('headerguard incident (CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  const red = runSummary('2026-12-01T01:00:00.000Z', [handsetLine('o2-a', [leakFinding()])]);
  const green = runSummary('2026-12-01T02:00:00.000Z', [handsetLine('o2-a')]);

  async function runFolder(
    summary: RunSummary | string,
    name = typeof summary === 'string' ? 'x' : summary.runId,
  ) {
    const folder = path.join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, 'summary.json'),
      typeof summary === 'string' ? summary : JSON.stringify(summary, null, 2),
    );
    return folder;
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-incident-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the Markdown record of the runs given, and exits 0', async () => {
    const res = await runCli(['incident', await runFolder(green), await runFolder(red)]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^# Incident record: subscriber identifier exposure$/m);
    assert.match(res.stdout, new RegExp(`Exposure first seen: 2026-12-01T01:00:00Z \\(run ${red.runId}\\)`));
    assert.match(
      res.stdout,
      new RegExp(`First green run after it: 2026-12-01T02:00:00Z \\(run ${green.runId}\\)`),
    );
    assert.equal(res.stderr, '');
  });

  it('--out FILE.md --html writes both forms and says where', async () => {
    const out = path.join(dir, 'records', 'incident.md');
    const res = await runCli([
      'incident',
      await runFolder(red),
      await runFolder(green),
      '--out',
      out,
      '--html',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const md = await readFile(out, 'utf8');
    const html = await readFile(path.join(dir, 'records', 'incident.html'), 'utf8');
    assert.match(md, /\| x-up-calling-line-id \| o2 \| not recorded \| IPv4 \|/);
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /(src|href)=|<script|@import|url\(/, 'no external resource, no script');
    assert.match(res.stdout, /incident: .*incident\.md and .*incident\.html: 2 run\(s\), 1 exposure\(s\)/);
  });

  it('masks digit runs in the file names it prints', async () => {
    const out = path.join(dir, '447700900123', 'incident.md');
    const res = await runCli(['incident', await runFolder(red), '--out', out]);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!res.stdout.includes('447700900123'), res.stdout);
    assert.match(res.stdout, /4477\*{6}23/);
  });

  it("reads the APN from the summary and the IP family from the finding's probe", async () => {
    const withPath = JSON.parse(JSON.stringify(red)) as {
      handsets: { apn: string | null; findings: { probe: string }[] }[];
    };
    withPath.handsets[0]!.apn = 'mobile.o2.co.uk';
    for (const f of withPath.handsets[0]!.findings) f.probe = 'nav-v6';
    const res = await runCli(['incident', await runFolder(JSON.stringify(withPath))]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /\| x-up-calling-line-id \| o2 \| mobile\.o2\.co\.uk \| IPv6 \|/);
  });

  for (const [what, content, expected] of [
    ['a folder without summary.json', null, /no summary\.json \(not a finished headerguard run/],
    ['a summary.json that is not JSON', '{"verdict": ', /summary\.json: not valid JSON/],
    ['a summary.json of another shape', '{"verdict": "pass"}', /summary\.json: formatVersion: /],
  ] as const) {
    it(`${what}: one line naming it, exit 2, nothing skipped`, async () => {
      const bad = path.join(dir, 'bad-run');
      await mkdir(bad);
      if (content !== null) await writeFile(path.join(bad, 'summary.json'), content);
      const res = await runCli(['incident', await runFolder(red), bad]);
      assert.equal(res.code, 2, res.stdout + res.stderr);
      assert.equal(res.stdout, '');
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, /^headerguard: incident: .*bad-run/);
      assert.match(res.stderr, expected);
    });
  }

  it('a report dir stands for every run folder in it; one without summary.json there is named, not skipped', async () => {
    await runFolder(red);
    await runFolder(green);
    const ok = await runCli(['incident', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Built by headerguard \S+ at \S+ from 2 run\(s\)/);
    await mkdir(path.join(dir, '2026-12-01T03-00-00-000Z-killed', 'allure-results'), { recursive: true });
    const killed = await runCli(['incident', dir]);
    assert.equal(killed.code, 2);
    assert.match(
      killed.stderr,
      /^headerguard: incident: .*2026-12-01T03-00-00-000Z-killed: no summary\.json/,
    );
  });

  it('a path that does not exist, and the same run given twice, are errors (exit 2)', async () => {
    const missing = await runCli(['incident', path.join(dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^headerguard: incident: .*nope: no such run folder or summary\.json\n$/);
    const folder = await runFolder(red);
    const twice = await runCli(['incident', folder, path.join(folder, 'summary.json')]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, new RegExp(`^headerguard: incident: run ${red.runId} given twice`));
  });

  it('no run folder at all is a usage error (exit 2)', async () => {
    const res = await runCli(['incident']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^headerguard: missing required argument 'dir'/);
  });

  it('writing where it cannot is one line, exit 2', async () => {
    const blocker = path.join(dir, 'file');
    await writeFile(blocker, '');
    const res = await runCli(['incident', await runFolder(red), '--out', path.join(blocker, 'x.md')]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^headerguard: incident: cannot write .*x\.md \(E[A-Z]+\)\n$/);
    await assert.rejects(stat(path.join(blocker, 'x.md')));
  });
});

describe('incident outputs', () => {
  it('Markdown to --out, HTML beside it with --html; nothing named without --out', () => {
    assert.deepEqual(incidentOutputs({}), {});
    assert.deepEqual(incidentOutputs({ html: true }), {});
    assert.deepEqual(incidentOutputs({ out: 'a/inc.md' }), { markdown: 'a/inc.md' });
    assert.deepEqual(incidentOutputs({ out: 'a/inc.md', html: true }), {
      markdown: 'a/inc.md',
      html: 'a/inc.html',
    });
    assert.deepEqual(incidentOutputs({ out: 'inc', html: true }), { markdown: 'inc', html: 'inc.html' });
    assert.deepEqual(incidentOutputs({ out: 'inc.html', html: true }), {
      markdown: 'inc.md',
      html: 'inc.html',
    });
  });
});
