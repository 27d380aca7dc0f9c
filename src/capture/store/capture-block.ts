/**
 * A capture block: the captures of one run committed together, as the JSON stored in `capture_blocks.captures`
 * (an array of captures, each an array in CAPTURE_FIELDS order; see schema.ts). Pure functions.
 */
import type { CaptureRecord, HeaderPair, Listener } from '../../model/capture.ts';
import { CAPTURE_FIELDS } from './schema.ts';

/** What a block holds of a capture: a CaptureRecord without its run, Node's flat `rawHeaders`, a numeric time. */
export interface BlockCapture extends Omit<CaptureRecord, 'runToken' | 'receivedAt' | 'headers'> {
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** `req.rawHeaders`: name, value, name, value, … */
  rawHeaders: readonly string[];
}

type StoredCapture = [
  probe: string,
  listener: string,
  tls: 0 | 1,
  httpVersion: string,
  method: string,
  url: string,
  host: string,
  remoteAddress: string,
  remotePort: number,
  connectionId: string,
  connectionRequestIndex: number,
  receivedAt: number,
  rawHeaders: readonly string[],
];

const LISTENERS: ReadonlySet<string> = new Set<Listener>(['main', 'alt', 'https']);

/** The JSON text of a block holding `captures`, in order. */
export function encodeBlock(captures: readonly BlockCapture[]): string {
  return JSON.stringify(
    captures.map(
      (c): StoredCapture => [
        c.probe,
        c.listener,
        c.tls ? 1 : 0,
        c.httpVersion,
        c.method,
        c.url,
        c.host,
        c.remoteAddress,
        c.remotePort,
        c.connectionId,
        c.connectionRequestIndex,
        c.receivedAt,
        c.rawHeaders,
      ],
    ),
  );
}

/** Thrown for a block that is not what encodeBlock writes (a damaged or foreign file): never guessed at. */
export class UnreadableBlockError extends Error {
  constructor(blockId: number, what: string) {
    super(`capture block ${blockId} is unreadable: ${what}`);
    this.name = 'UnreadableBlockError';
  }
}

/** Node's flat `rawHeaders` ([name, value, name, value, …]) as ordered pairs. */
export function headerPairs(rawHeaders: readonly string[]): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return pairs;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isInteger = (v: unknown): v is number => Number.isSafeInteger(v);

/** The captures of block `blockId` of run `runToken`, in order; throws UnreadableBlockError. */
export function decodeBlock(
  text: string,
  blockId: number,
  runToken: string,
  expected: number,
): CaptureRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UnreadableBlockError(blockId, 'not JSON');
  }
  if (!Array.isArray(parsed)) throw new UnreadableBlockError(blockId, 'not an array');
  if (parsed.length !== expected) {
    throw new UnreadableBlockError(blockId, `holds ${parsed.length} captures, its row says ${expected}`);
  }
  return parsed.map((entry: unknown, i): CaptureRecord => {
    if (!Array.isArray(entry) || entry.length !== CAPTURE_FIELDS.length) {
      throw new UnreadableBlockError(
        blockId,
        `capture ${i + 1} does not have ${CAPTURE_FIELDS.length} fields`,
      );
    }
    const [probe, listener, tls, httpVersion, method, url, host, address, port, connection, index, at, raw] =
      entry as unknown[];
    const fieldsOk =
      isString(probe) &&
      isString(listener) &&
      LISTENERS.has(listener) &&
      (tls === 0 || tls === 1) &&
      isString(httpVersion) &&
      isString(method) &&
      isString(url) &&
      isString(host) &&
      isString(address) &&
      isInteger(port) &&
      isString(connection) &&
      isInteger(index) &&
      isInteger(at) &&
      Array.isArray(raw) &&
      raw.length % 2 === 0 &&
      raw.every(isString);
    if (!fieldsOk) throw new UnreadableBlockError(blockId, `capture ${i + 1} has a field of the wrong type`);
    return {
      runToken,
      probe,
      listener: listener as Listener,
      tls: tls === 1,
      httpVersion,
      method,
      url,
      host,
      remoteAddress: address,
      remotePort: port,
      connectionId: connection,
      connectionRequestIndex: index,
      receivedAt: new Date(at).toISOString(),
      headers: headerPairs(raw as string[]),
    };
  });
}
