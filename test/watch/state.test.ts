import assert from 'node:assert/strict';
import { INITIAL_STATE, nextState, type RunOutcome, type WatchState } from '../../src/watch/state.ts';

const pass: RunOutcome = { verdict: 'pass', leakHeaders: [], leakHandsets: [] };
const broken: RunOutcome = { verdict: 'broken', leakHeaders: [], leakHandsets: [] };
const red = (headers: string[], handsets: string[]): RunOutcome => ({
  verdict: 'fail',
  leakHeaders: headers,
  leakHandsets: handsets,
});

/** The events of a sequence of runs from the start. */
function events(runs: RunOutcome[]): (string | undefined)[] {
  let state: WatchState = INITIAL_STATE;
  return runs.map((r) => {
    const t = nextState(state, r);
    state = t.state;
    return t.event;
  });
}

describe('watch: notification state machine', () => {
  it('green at start and still green: no notification', () => {
    assert.deepEqual(events([pass, pass, pass]), [undefined, undefined, undefined]);
  });

  it('red at start, and the first red after green; recovered on the first green after it', () => {
    assert.deepEqual(events([red(['x-up-calling-line-id'], ['p1']), pass]), ['red', 'recovered']);
    assert.deepEqual(events([pass, red(['x-msisdn'], ['p1']), pass, pass]), [
      undefined,
      'red',
      'recovered',
      undefined,
    ]);
  });

  it('still red with the same leak: no repeat, whatever the order or a smaller leak', () => {
    const leak = red(['a', 'b'], ['p1', 'p2']);
    assert.deepEqual(events([leak, red(['b', 'a'], ['p2', 'p1']), red(['a'], ['p1']), leak]), [
      'red',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('still red, but a new header or a new handset joins the leak: red again, naming who joined', () => {
    const first = nextState(INITIAL_STATE, red(['a'], ['p1']));
    const header = nextState(first.state, red(['a', 'b'], ['p1']));
    assert.equal(header.event, 'red');
    assert.deepEqual(header.joined, { headers: ['b'], handsets: [] });
    const handset = nextState(header.state, red(['a'], ['p1', 'p2']));
    assert.equal(handset.event, 'red');
    assert.deepEqual(handset.joined, { headers: [], handsets: ['p2'] });
    assert.equal(nextState(handset.state, red(['b', 'a'], ['p2'])).event, undefined);
  });

  it('broken once, not again while still broken; recovered after broken; red after broken', () => {
    assert.deepEqual(events([broken, broken, pass]), ['broken', undefined, 'recovered']);
    assert.deepEqual(events([pass, broken, red(['a'], ['p1']), broken]), [
      undefined,
      'broken',
      'red',
      'broken',
    ]);
  });

  it('a leak after recovery is red again, even with the same header and handset', () => {
    const leak = red(['a'], ['p1']);
    assert.deepEqual(events([leak, pass, leak]), ['red', 'recovered', 'red']);
    assert.deepEqual(events([leak, broken, leak]), ['red', 'broken', 'red']);
  });
});
