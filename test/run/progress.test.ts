import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.ts';
import { Progress } from '../../src/run/progress.ts';
import { handsetResult } from '../support/handset-result.ts';

const leak: Finding = {
  rule: 'identity-value',
  severity: 'blocker',
  probe: 'nav',
  header: 'x-up-calling-line-id',
  evidence: 'MSISDN 4477******01',
  detail: { identifier: 'MSISDN', form: "E.164 without '+'", encoding: [], sentBy: 'network' },
};
describe('run/progress', () => {
  it('one line when a check starts and one per handset done: count, verdict, time, why', () => {
    const lines: string[] = [];
    let t = 0;
    const p = new Progress(
      3,
      (l) => lines.push(l),
      () => t,
    );
    p.started('a', 'sim:o2');
    p.started('b', 'sim:o2:o2-2012');
    p.started('c', 'http://127.0.0.1:3128');
    t = 3100;
    p.finished('a', handsetResult('a'));
    t = 4000;
    p.finished('b', handsetResult('b', { verdict: 'fail', findings: [leak, leak] }));
    p.finished('c', undefined);
    assert.deepEqual(lines, [
      'headerguard: checking a through sim:o2',
      'headerguard: checking b through sim:o2:o2-2012',
      'headerguard: checking c through http://127.0.0.1:3128',
      'headerguard: 1/3 done: a PASS in 3.1 s',
      'headerguard: 2/3 done: b FAIL in 4.0 s (identity-value)',
      'headerguard: 3/3 done: c BROKEN in 4.0 s (no result: its session did not start or crashed)',
    ]);
  });

  it('a broken handset says its failure', () => {
    const lines: string[] = [];
    const p = new Progress(
      1,
      (l) => lines.push(l),
      () => 0,
    );
    p.finished(
      'x',
      handsetResult('x', { verdict: 'broken', failure: 'browser: net::ERR_PROXY_CONNECTION_FAILED' }),
    );
    assert.deepEqual(lines, ['headerguard: 1/1 done: x BROKEN (browser: net::ERR_PROXY_CONNECTION_FAILED)']);
  });
});
