import assert from 'node:assert/strict';
import { buildPayload } from '../../src/notify/payload.ts';
import { handset, leaking, summary } from '../support/notifiable-summary.ts';

describe('notify: payload', () => {
  it('has exactly the documented fields, taken from summary.json, per handset its rules and headers', () => {
    const s = summary(
      [
        leaking('p1', 'X-UP-Calling-Line-ID', 'x-up-calling-line-id'),
        handset('p2', { bearer: 'giffgaff', apn: 'mobile.o2.co.uk' }),
      ],
      { tag: 'post-maintenance', change: 'CHG-1234' },
    );
    const p = buildPayload('red', { summary: s, report: '/r/run-1' });
    assert.deepEqual(Object.keys(p), [
      'event',
      'verdict',
      'farm',
      'tag',
      'change',
      'runId',
      'startedAt',
      'finishedAt',
      'report',
      'handsets',
      'text',
    ]);
    assert.deepEqual(
      { ...p, text: undefined },
      {
        event: 'red',
        verdict: 'fail',
        farm: 'o2',
        tag: 'post-maintenance',
        change: 'CHG-1234',
        runId: s.runId,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        report: '/r/run-1',
        handsets: [
          {
            id: 'p1',
            bearer: 'o2',
            apn: null,
            verdict: 'fail',
            rules: ['identity-header'],
            headers: ['x-up-calling-line-id'],
          },
          { id: 'p2', bearer: 'giffgaff', apn: 'mobile.o2.co.uk', verdict: 'pass', rules: [], headers: [] },
        ],
        text: undefined,
      },
    );
  });

  it('text is one line a chat webhook shows as it is', () => {
    const three = summary([
      leaking('a', 'x-up-calling-line-id'),
      leaking('b', 'x-up-calling-line-id'),
      leaking('c', 'x-up-calling-line-id'),
    ]);
    assert.equal(
      buildPayload('red', { summary: three }).text,
      'RED o2: x-up-calling-line-id reached the probe host on 3 handsets',
    );
    const partner = summary(
      [
        handset('a', {
          verdict: 'fail',
          findings: [{ rule: 'partner-enrichment-missing', header: 'x-up-calling-line-id' }],
        }),
        handset('b', { verdict: 'broken', failure: 'the gateway did not answer' }),
      ],
      { tag: 'nightly' },
    );
    assert.equal(
      buildPayload('finished', { summary: partner }).text,
      'FAIL o2 (nightly): partner-enrichment-missing on 1 handset; 1 of 2 handsets not checked (the gateway did not answer)',
    );
    assert.equal(
      buildPayload('recovered', { summary: summary([handset('a'), handset('b')]) }).text,
      'RECOVERED o2: all 2 handsets pass',
    );
    assert.equal(
      buildPayload('finished', { summary: summary([handset('a')]) }).text,
      'PASS o2: all 1 handset pass',
    );
  });

  it('a run that left no summary: broken, with what is known and why', () => {
    const p = buildPayload('broken', {
      fallback: {
        farm: 'lab',
        startedAt: '2026-12-02T01:00:00.000Z',
        finishedAt: '2026-12-02T01:00:09.000Z',
        reason: 'the capture endpoint did not start',
      },
    });
    assert.equal(p.verdict, 'broken');
    assert.equal(p.farm, 'lab');
    assert.equal(p.runId, null);
    assert.equal(p.report, null);
    assert.deepEqual(p.handsets, []);
    assert.equal(p.text, 'BROKEN lab: no result (the capture endpoint did not start)');
  });

  it('is masked: an identifier that slipped into any field is shown as 4477******23', () => {
    const s = summary([handset('p1', { verdict: 'broken', failure: 'gateway refused 447700900123' })], {
      change: 'CHG for 447700900123',
    });
    const text = JSON.stringify(buildPayload('broken', { summary: s }));
    assert.ok(!text.includes('447700900123'), text);
    assert.match(text, /4477\*{6}23/);
    // Timestamps and run ids stay readable.
    assert.ok(text.includes(s.runId) && text.includes(s.startedAt), text);
  });
});
