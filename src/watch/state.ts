import type { Verdict } from '../model/finding.ts';

/**
 * `watch` notifies on a change of state, not on every run: a pure function from (state, run outcome) to the
 * next state and the event to send, if any.
 *
 * - `red`: the first failing run after green, after broken, or at start; while still red, again only when a
 *   header or a handset joins the leak (compared with everything notified since it turned red).
 * - `broken`: the first broken run after anything else.
 * - `recovered`: the first green run after red or broken. Green at start, or still green: nothing.
 */
export type WatchStatus = 'start' | 'green' | 'red' | 'broken';

export interface WatchState {
  status: WatchStatus;
  /** Headers (lower-case) and handset ids of the leak notified since the state turned red. */
  leakHeaders: readonly string[];
  leakHandsets: readonly string[];
}

export interface RunOutcome {
  verdict: Verdict;
  /** Of a failing run: the header names its failing handsets' findings name, and those handsets' ids. */
  leakHeaders: readonly string[];
  leakHandsets: readonly string[];
}

export type WatchEvent = 'red' | 'broken' | 'recovered';

export interface Transition {
  state: WatchState;
  event: WatchEvent | undefined;
  /** Headers and handsets new to the leak in this run (empty unless the run failed). */
  joined: { headers: string[]; handsets: string[] };
}

export const INITIAL_STATE: WatchState = { status: 'start', leakHeaders: [], leakHandsets: [] };

export function nextState(state: WatchState, run: RunOutcome): Transition {
  const none = { headers: [], handsets: [] };
  if (run.verdict === 'pass') {
    const event = state.status === 'red' || state.status === 'broken' ? 'recovered' : undefined;
    return { state: { status: 'green', leakHeaders: [], leakHandsets: [] }, event, joined: none };
  }
  if (run.verdict === 'broken') {
    const event = state.status === 'broken' ? undefined : 'broken';
    return { state: { status: 'broken', leakHeaders: [], leakHandsets: [] }, event, joined: none };
  }
  const wasRed = state.status === 'red';
  const knownHeaders = new Set(wasRed ? state.leakHeaders : []);
  const knownHandsets = new Set(wasRed ? state.leakHandsets : []);
  const joined = {
    headers: unique(run.leakHeaders).filter((h) => !knownHeaders.has(h)),
    handsets: unique(run.leakHandsets).filter((h) => !knownHandsets.has(h)),
  };
  const grew = joined.headers.length > 0 || joined.handsets.length > 0;
  return {
    state: {
      status: 'red',
      leakHeaders: [...knownHeaders, ...joined.headers],
      leakHandsets: [...knownHandsets, ...joined.handsets],
    },
    event: !wasRed || grew ? 'red' : undefined,
    joined,
  };
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
