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

  it('round-trips any sequence of captures, written as differences from the one before (property)', () => {
    const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
    const headerValue = fc.oneof(pick(['probe.localhost', 'Mozilla/5.0', '447700900123', '']), fc.string());
    const captureArb = fc.record({
      probe: pick(['nav', 'img', 'fetch']),
      listener: pick(['main', 'alt', 'https'] as const),
      tls: fc.boolean(),
      httpVersion: pick(['1.1', '2.0']),
      method: pick(['GET', 'HEAD']),
      url: pick(['/p/t/nav', '/p/t/img']),
      host: pick(['probe.localhost', 'partner.localhost']),
      remoteAddress: pick(['127.0.0.1', '::1']),
      remotePort: fc.integer({ min: 1, max: 65535 }),
      connectionId: pick(['c-1', 'c-2']),
      connectionRequestIndex: fc.integer({ min: 1, max: 3 }),
      receivedAt: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_003 }),
      rawHeaders: fc
        .array(fc.tuple(pick(['Host', 'Via', 'x-up-calling-line-id', 'X-A']), headerValue), { maxLength: 6 })
        .map((pairs) => pairs.flat()),
    });
    fc.assert(
      fc.property(fc.array(captureArb, { minLength: 1, maxLength: 8 }), (captures) => {
        const decoded = decodeBlock(encodeBlock(captures), 1, 'tok', captures.length);
        assert.deepEqual(
          decoded,
          captures.map((c) => {
            const { rawHeaders, receivedAt, ...rest } = c;
            return {
              runToken: 'tok',
              ...rest,
              receivedAt: new Date(receivedAt).toISOString(),
              headers: headerPairs(rawHeaders),
            };
          }),
        );
      }),
    );
  });

  it('writes what repeats the capture before as null, so a handset’s block is a fraction of its plain size', () => {
    // A phone's browser through a gateway: the headers repeat from one request to the next.
    const handset = [
      ['Host', 'probe.localhost'],
      [
        'User-Agent',
        'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
      ],
      ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'],
      ['Accept-Language', 'en-GB,en;q=0.9'],
      ['sec-ch-ua', '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'],
      ['Via', '1.1 gateway.example (squid)'],
      ['X-Forwarded-For', '10.12.34.56'],
    ].flat();
    const captures = Array.from({ length: 10 }, (_, i) =>
      blockCapture({ remotePort: 50_000 + i, connectionRequestIndex: i + 1, rawHeaders: handset }),
    );
    captures[5] = blockCapture({
      rawHeaders: [...handset.slice(0, 3), 'other', ...handset.slice(4), 'Extra', '1'],
    });
    const stored = JSON.parse(encodeBlock(captures)) as unknown[][];
    assert.deepEqual(stored[0], JSON.parse(encodeBlock([captures[0]!]))[0]);
    const port = CAPTURE_FIELDS.indexOf('remote_port');
    const raw = CAPTURE_FIELDS.indexOf('raw_headers');
    assert.deepEqual(stored[1]![port], 50_001);
    assert.equal(stored[1]![CAPTURE_FIELDS.indexOf('probe')], null);
    assert.equal(stored[1]![raw], null);
    assert.deepEqual(stored[5]![raw], [
      null,
      null,
      null,
      'other',
      ...handset.slice(4).map(() => null),
      'Extra',
      '1',
    ]);
    // The capture after the odd one differs from it, not from the first.
    assert.deepEqual(stored[6]![raw], [null, null, null, handset[3], ...handset.slice(4).map(() => null)]);
    const plain = captures.map((c) => encodeBlock([c]).length - 2).reduce((a, b) => a + b + 1, 1);
    assert.ok(encodeBlock(captures).length < plain / 3, `${encodeBlock(captures).length} of ${plain}`);
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
    const raw = CAPTURE_FIELDS.indexOf('raw_headers');
    const rawOf = (entry: unknown[]) => entry[raw] as string[];
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
      [withField(CAPTURE_FIELDS.indexOf('probe'), null), 1, /capture 1 refers to a capture before it/],
      [withField(raw, null), 1, /capture 1 refers to a capture before it/],
      [
        JSON.stringify([
          good[0],
          good[0]!.map((_, j) => (j === raw ? [...rawOf(good[0]!).map(() => null), null, null] : null)),
        ]),
        2,
        /capture 2 refers to a header the capture before it lacks/,
      ],
      [
        JSON.stringify([good[0], good[0]!.map((_, j) => (j === raw ? [null] : null))]),
        2,
        /capture 2 has a field of the wrong type/,
      ],
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
