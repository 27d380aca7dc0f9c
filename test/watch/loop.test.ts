import assert from 'node:assert/strict';
import type { NotificationPayload } from '../../src/notify/payload.ts';
import type { RunRecord } from '../../src/watch/child-run.ts';
import { watchLoop } from '../../src/watch/loop.ts';
import { handset, leaking, summary } from '../support/notifiable-summary.ts';

type Kind = 'pass' | 'fail' | 'broken' | 'crash' | 'usage';

/** A stubbed run of the given kind (a crash leaves no summary). */
function record(kind: Kind, runMs = 0): RunRecord {
  const base = {
    startedAt: '2026-12-02T01:00:00.000Z',
    finishedAt: new Date(Date.parse('2026-12-02T01:00:00.000Z') + runMs).toISOString(),
  };
  switch (kind) {
    case 'pass':
      return { ...base, exitCode: 0, summary: summary([handset('p1')]), runDir: '/r/1' };
    case 'fail':
      return {
        ...base,
        exitCode: 1,
        summary: summary([leaking('p1', 'x-up-calling-line-id')]),
        runDir: '/r/1',
      };
    case 'broken':
      return {
        ...base,
        exitCode: 3,
        summary: summary([handset('p1', { verdict: 'broken', failure: 'the gateway did not answer' })]),
      };
    case 'crash':
      return { ...base, exitCode: 3, lastError: 'internal error: boom' };
    case 'usage':
      return { ...base, exitCode: 2, lastError: 'farm f.json: handsets: must not be empty' };
  }
}

async function drive(
  kinds: Kind[],
  options: { everyMs?: number; runMs?: number; stopAfter?: number; stopAtMs?: number } = {},
) {
  const lines: string[] = [];
  const events: NotificationPayload[] = [];
  const starts: number[] = [];
  const stop = new AbortController();
  let running = 0;
  const timer = options.stopAtMs ? setTimeout(() => stop.abort('SIGINT'), options.stopAtMs) : undefined;
  let overlapped = false;
  const code = await watchLoop(
    { everyMs: options.everyMs ?? 1, farm: 'lab', stop: stop.signal, maxRuns: kinds.length },
    {
      runOnce: async (n) => {
        starts.push(Date.now());
        running++;
        if (running > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, options.runMs ?? 0));
        running--;
        if (n === options.stopAfter) stop.abort('SIGTERM');
        return record(kinds[n - 1]!, options.runMs);
      },
      notify: async (p) => {
        events.push(p);
        return [{ target: 'http://h/…', ok: true, tries: 1 }];
      },
      print: (l) => lines.push(l),
    },
  );
  clearTimeout(timer);
  return { code, lines, events: events.map((e) => e.event), starts, overlapped };
}

describe('watch: the loop (stubbed runs)', () => {
  it('notifies on changes of state only; one line per run saying what changed', async () => {
    const r = await drive(['pass', 'fail', 'fail', 'fail', 'crash', 'crash', 'pass', 'pass']);
    assert.deepEqual(r.events, ['red', 'broken', 'recovered']);
    assert.equal(r.lines.length, 8);
    assert.match(r.lines[0]!, /run 1: PASS green \(/);
    assert.match(r.lines[1]!, /run 2: FAIL red: x-up-calling-line-id on p1; notified red \(1\/1 webhooks\)/);
    assert.match(r.lines[2]!, /run 3: FAIL still red \(/);
    assert.match(r.lines[4]!, /run 5: BROKEN broken: internal error: boom; notified broken/);
    assert.match(r.lines[5]!, /run 6: BROKEN still broken \(/);
    assert.match(r.lines[6]!, /run 7: PASS recovered \(was broken\); notified recovered/);
    assert.match(r.lines[7]!, /run 8: PASS still green/);
  });

  it("--max-runs: the exit code is the last run's (fail closed: a crash is 3)", async () => {
    assert.equal((await drive(['pass', 'fail'])).code, 1);
    assert.equal((await drive(['fail', 'pass'])).code, 0);
    assert.equal((await drive(['pass', 'crash'])).code, 3);
  });

  it('a first run refused for bad usage or config ends the watch with exit 2 and its line', async () => {
    const r = await drive(['usage', 'pass']);
    assert.equal(r.code, 2);
    assert.deepEqual(r.lines, ['headerguard: farm f.json: handsets: must not be empty']);
  });

  it('the next run starts `every` after the previous one started; an overrun starts the next at once; never overlapping', async () => {
    const paced = await drive(['pass', 'pass', 'pass'], { everyMs: 150, runMs: 20 });
    const gaps = paced.starts.slice(1).map((t, i) => t - paced.starts[i]!);
    assert.ok(
      gaps.every((g) => g >= 145 && g < 400),
      `gaps ${gaps}`,
    );
    const overrun = await drive(['pass', 'pass', 'pass'], { everyMs: 30, runMs: 120 });
    const overGaps = overrun.starts.slice(1).map((t, i) => t - overrun.starts[i]!);
    assert.ok(
      overGaps.every((g) => g >= 115 && g < 250),
      `next run at once after an overrun: ${overGaps}`,
    );
    assert.equal(overrun.overlapped, false);
  });

  it('a stop signal during a run lets it finish, starts no other and exits 0', async () => {
    const r = await drive(['fail', 'fail', 'fail'], { everyMs: 60_000, stopAfter: 1 });
    assert.equal(r.starts.length, 1);
    assert.equal(r.code, 0);
    assert.match(r.lines.at(-1)!, /watch stopped \(SIGTERM\)/);
  });

  it('a run broken while watch is stopping (stopped with it) is not notified as broken', async () => {
    const r = await drive(['fail', 'crash', 'pass'], { everyMs: 1, stopAfter: 2 });
    assert.deepEqual(r.events, ['red']);
    assert.match(r.lines[1]!, /run 2: BROKEN broken while watch was stopping \(not notified\)/);
    assert.equal(r.code, 0);
  });

  it('a stop signal while waiting for the next run ends the wait at once', async () => {
    const started = Date.now();
    const r = await drive(['pass', 'pass'], { everyMs: 60_000, stopAtMs: 100 });
    assert.ok(Date.now() - started < 5000);
    assert.equal(r.starts.length, 1);
    assert.equal(r.code, 0);
    assert.match(r.lines.at(-1)!, /watch stopped \(SIGINT\)/);
  });
});
