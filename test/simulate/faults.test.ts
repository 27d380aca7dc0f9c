import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULE_IDS } from '../../src/model/finding.ts';
import {
  FAULT_NAMES,
  FAULTS,
  gatewayBehaviour,
  HEALTHY_GATEWAY,
  isFaultName,
} from '../../src/simulate/faults.ts';
import { ROOT } from '../support/cli.ts';

/** The rows of every markdown table in `text` whose first cell is a back-quoted fault id: id → list of cell lists. */
function faultRows(text: string): Map<string, string[][]> {
  const rows = new Map<string, string[][]>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([a-z0-9-]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split('|').map((c) => c.trim());
    rows.set(m[1]!, [...(rows.get(m[1]!) ?? []), cells]);
  }
  return rows;
}

function section(text: string, heading: string): string {
  const start = text.indexOf(heading);
  assert.ok(start >= 0, `docs/simulator.md has "${heading}"`);
  const end = text.indexOf('\n## ', start);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('simulate/faults: one record per fault', () => {
  it('keeps every fault id, each record naming itself', () => {
    assert.deepEqual(
      [...FAULT_NAMES],
      [
        'o2-2012',
        'partner-lost',
        'tracking-id',
        'spoofable',
        'first-request-only',
        'alt-port-only',
        'subresource-only',
        'encoded',
        'ipv6-only-leak',
      ],
    );
    for (const f of FAULT_NAMES) {
      assert.equal(FAULTS[f].id, f);
      assert.equal(isFaultName(f), true);
    }
    assert.equal(isFaultName('healthy'), false);
    assert.equal(isFaultName('toString'), false);
  });

  it('says what each does in one line, what it replays and where that is documented', () => {
    for (const f of FAULT_NAMES) {
      const r = FAULTS[f];
      assert.ok(r.summary.length > 20 && r.summary.length <= 200 && !r.summary.includes('\n'), f);
      assert.ok(r.replays.length > 40, f);
      assert.ok(r.source.length > 5, f);
      assert.equal(/HEADERS\.md/.test(`${r.replays} ${r.source}`), false, `${f}: cite docs/headers.md`);
    }
  });

  it('names at least one verdict rule per fault, each a real rule id, none twice, never incomplete', () => {
    for (const f of FAULT_NAMES) {
      const trips = FAULTS[f].trips;
      assert.ok(trips.length > 0, f);
      assert.equal(new Set(trips).size, trips.length, f);
      for (const rule of trips) assert.ok((RULE_IDS as readonly string[]).includes(rule), `${f}: ${rule}`);
      assert.equal(trips.includes('incomplete'), false, `${f}: a fault is a failure, not a broken run`);
    }
  });

  it('gives each fault a gateway that differs from the healthy one, and no fault the healthy gateway', () => {
    assert.deepEqual(gatewayBehaviour(undefined), HEALTHY_GATEWAY);
    for (const f of FAULT_NAMES) assert.notDeepEqual(gatewayBehaviour(f), HEALTHY_GATEWAY, f);
    const distinct = new Set(FAULT_NAMES.map((f) => JSON.stringify(FAULTS[f].gateway)));
    assert.equal(distinct.size, FAULT_NAMES.length, 'no two faults behave alike');
  });

  it('docs/simulator.md lists every fault with what it does, its rules, what it replays and its source', () => {
    const doc = section(readFileSync(path.join(ROOT, 'docs', 'simulator.md'), 'utf8'), '### Faults');
    const rows = faultRows(doc);
    assert.deepEqual([...rows.keys()].sort(), [...FAULT_NAMES].sort(), 'one row per fault, no other');
    for (const f of FAULT_NAMES) {
      const r = FAULTS[f];
      const [what, replays] = rows.get(f)!;
      assert.ok(what && replays, `${f}: a row in each fault table`);
      assert.deepEqual(what, [r.summary, r.trips.map((t) => `\`${t}\``).join(', ')], `${f}: what it does`);
      assert.deepEqual(replays, [r.replays, r.source], `${f}: what it replays`);
    }
  });

  it('`headerguard sim --help` lists every fault with what it does and its rules', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'headerguard.js'), 'sim', '--help'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n').map((l) => l.trim());
    for (const f of FAULT_NAMES) {
      const at = lines.indexOf(`${f}${' '.repeat(Math.max(1, 20 - f.length))}${FAULTS[f].summary}`);
      assert.ok(at >= 0, `${f} with its summary in:\n${run.stdout}`);
      assert.equal(lines[at + 1], `must fail: ${FAULTS[f].trips.join(', ')}`, f);
    }
  });
});
