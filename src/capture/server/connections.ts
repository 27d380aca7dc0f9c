/**
 * Connection ids and per-connection request counters. HTTP/1 requests are keyed by their socket, h2 requests by
 * their session (one TLS connection). Ids start with a random boot id, so ids stay distinct across restarts of
 * the endpoint on the same database.
 */
import { randomBytes } from 'node:crypto';
import type { Listener } from '../../model/capture.ts';

interface ConnectionState {
  id: string;
  requests: number;
  /** h2 only: the highest stream id seen on the session. */
  maxStreamId: number;
}

export interface ConnectionSlot {
  connectionId: string;
  /** 1-based index of this request on its connection. */
  index: number;
}

export class ConnectionRegistry {
  readonly bootId = randomBytes(4).toString('hex');
  private readonly states = new WeakMap<object, ConnectionState>();
  private readonly counters: Record<Listener, number> = { main: 0, alt: 0, https: 0 };

  /** Count one more request on the connection identified by `key` (a socket, or an h2 session and stream id). */
  next(key: object, listener: Listener, streamId = 0): ConnectionSlot {
    let state = this.states.get(key);
    if (!state) {
      this.counters[listener] += 1;
      state = { id: `${this.bootId}-${listener}-${this.counters[listener]}`, requests: 0, maxStreamId: 0 };
      this.states.set(key, state);
    }
    state.requests += 1;
    if (streamId > state.maxStreamId) state.maxStreamId = streamId;
    return { connectionId: state.id, index: state.requests };
  }

  /** The highest h2 stream id seen on a session (0 when none). */
  maxStreamId(key: object): number {
    return this.states.get(key)?.maxStreamId ?? 0;
  }
}
