import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type BlockCapture,
  decodeBlock,
  encodeBlock,
  headerPairs,
  UnreadableBlockError,
} from '../../src/capture/store/capture-block.ts';
import { CAPTURE_FIELDS } from '../../src/capture/store/schema.ts';

function blockCapture(over: Partial<BlockCapture> = {}): BlockCapture {
  return {
    probe: 'fetch',
    listener: 'alt',
    tls: true,
    httpVersion: '2.0',
    method: 'GET',
    url: '/p/t/fetch?x=1',
    host: 'probe.localhost:8443',
    remoteAddress: '::ffff:127.0.0.1',
    remotePort: 50123,
    connectionId: 'c-9',
    connectionRequestIndex: 3,
    receivedAt: 1_700_000_000_123,
    rawHeaders: ['Host', 'probe.localhost', 'X-A', '1', 'x-a', '2', 'Latin', 'caf\u00e9\u00ff', 'Empty', ''],
    ...over,
  };
}

describe('capture block (JSON of one run’s captures in one commit)', () => {
  it('round-trips every field, headers as ordered pairs with case, duplicates and latin-1 kept', () => {
    const a = blockCapture();
    const b = blockCapture({
      probe: 'nav',
      listener: 'main',
      tls: false,
      httpVersion: '1.1',
      rawHeaders: [],
    });
    const [da, db] = decodeBlock(encodeBlock([a, b]), 7, 'tok', 2);
    assert.deepEqual(da, {
      runToken: 'tok',
      probe: 'fetch',
      listener: 'alt',
      tls: true,
      httpVersion: '2.0',
      method: 'GET',
      url: '/p/t/fetch?x=1',
      host: 'probe.localhost:8443',
      remoteAddress: '::ffff:127.0.0.1',
      remotePort: 50123,
      connectionId: 'c-9',
      connectionRequestIndex: 3,
      receivedAt: new Date(1_700_000_000_123).toISOString(),
      headers: [
        ['Host', 'probe.localhost'],
        ['X-A', '1'],
        ['x-a', '2'],
        ['Latin', 'caf\u00e9\u00ff'],
        ['Empty', ''],
      ],
    });
    assert.equal(db!.probe, 'nav');
    assert.equal(db!.tls, false);
    assert.deepEqual(db!.headers, []);
  });

  it('keeps any header text exactly, separators and escapes included (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.string({ unit: 'binary' })), { maxLength: 12 }),
        (pairs) => {
          const raw = pairs.flat();
          const [decoded] = decodeBlock(encodeBlock([blockCapture({ rawHeaders: raw })]), 1, 't', 1);
          assert.deepEqual(decoded!.headers, headerPairs(raw));
        },
      ),
    );
  });

  it('stores each capture as an array in the documented field order', () => {
    const [stored] = JSON.parse(encodeBlock([blockCapture()])) as unknown[][];
    assert.equal(stored!.length, CAPTURE_FIELDS.length);
    assert.equal(stored![CAPTURE_FIELDS.indexOf('probe')], 'fetch');
    assert.equal(stored![CAPTURE_FIELDS.indexOf('tls')], 1);
    assert.equal(stored![CAPTURE_FIELDS.indexOf('remote_port')], 50123);
    assert.deepEqual(stored![CAPTURE_FIELDS.indexOf('raw_headers')], blockCapture().rawHeaders);
  });

  it('refuses what it did not write, naming the block and the fault, never guessing', () => {
    const good = JSON.parse(encodeBlock([blockCapture()])) as unknown[][];
    const withField = (i: number, v: unknown) => JSON.stringify([good[0]!.map((x, j) => (j === i ? v : x))]);
    const cases: [string, number, RegExp][] = [
      ['{not json', 1, /block 4 is unreadable: not JSON/],
      ['{"a":1}', 1, /not an array/],
      [encodeBlock([blockCapture()]), 2, /holds 1 captures, its row says 2/],
      [JSON.stringify([good[0]!.slice(1)]), 1, /capture 1 does not have 13 fields/],
      [
        withField(CAPTURE_FIELDS.indexOf('listener'), 'elsewhere'),
        1,
        /capture 1 has a field of the wrong type/,
      ],
      [withField(CAPTURE_FIELDS.indexOf('tls'), true), 1, /wrong type/],
      [withField(CAPTURE_FIELDS.indexOf('remote_port'), '80'), 1, /wrong type/],
      [withField(CAPTURE_FIELDS.indexOf('received_at'), 1.5), 1, /wrong type/],
      [withField(CAPTURE_FIELDS.indexOf('raw_headers'), ['Host']), 1, /wrong type/],
      [withField(CAPTURE_FIELDS.indexOf('raw_headers'), ['Host', 1]), 1, /wrong type/],
    ];
    for (const [text, expected, message] of cases) {
      assert.throws(
        () => decodeBlock(text, 4, 't', expected),
        (err: unknown) => err instanceof UnreadableBlockError && message.test(err.message),
        text,
      );
    }
  });
});
