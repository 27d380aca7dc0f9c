import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkRequestFraming,
  forwardRequestHeaders,
  forwardResponseHeaders,
  ProxyInputError,
  parseProxyTarget,
  requestTarget,
  serialiseRequestHead,
} from '../../src/simulate/http-head.ts';
import { type BodyMode, ResponseParseError, ResponseParser } from '../../src/simulate/response-parser.ts';

interface Parsed {
  status?: number;
  rawHeaders?: string[];
  mode?: BodyMode;
  body: Buffer;
  ends: boolean[];
}

function parse(
  method: string,
  pieces: readonly Buffer[],
  eof = false,
): { parsed: Parsed; parser: ResponseParser } {
  const parsed: Parsed = { body: Buffer.alloc(0), ends: [] };
  const parser = new ResponseParser(method, {
    onHead(head, mode) {
      parsed.status = head.statusCode;
      parsed.rawHeaders = head.rawHeaders;
      parsed.mode = mode;
    },
    onBody(chunk) {
      parsed.body = Buffer.concat([parsed.body, chunk]);
    },
    onEnd(reusable) {
      parsed.ends.push(reusable);
    },
  });
  for (const p of pieces) parser.push(p);
  if (eof) parser.end();
  return { parsed, parser };
}

/** Split a buffer at the given cut points. */
function cut(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  out.push(buf.subarray(from));
  return out;
}

describe('simulate/response-parser', () => {
  it('parses a Content-Length response, keeping header case, order and duplicates', () => {
    const wire = Buffer.from(
      'HTTP/1.1 200 OK\r\nX-A: 1\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\nhello',
    );
    const { parsed } = parse('GET', [wire]);
    assert.equal(parsed.status, 200);
    assert.deepEqual(parsed.rawHeaders, [
      'X-A',
      '1',
      'set-cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Content-Length',
      '5',
    ]);
    assert.equal(parsed.body.toString(), 'hello');
    assert.deepEqual(parsed.ends, [true]);
  });

  it('decodes a chunked body split at any byte boundary (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (chunks, cuts) => {
          let wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
          const parts: Buffer[] = [Buffer.from(wire)];
          for (const c of chunks) {
            parts.push(
              Buffer.from(`${c.length.toString(16)};ext=1\r\n`),
              Buffer.from(c),
              Buffer.from('\r\n'),
            );
          }
          parts.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n'));
          wire = '';
          const all = Buffer.concat(parts);
          const { parsed } = parse('GET', cut(all, cuts));
          assert.deepEqual(parsed.body, Buffer.concat(chunks.map((c) => Buffer.from(c))));
          assert.deepEqual(parsed.ends, [true]);
          assert.equal(parsed.mode, 'chunked');
        },
      ),
    );
  });

  it('skips interim 1xx responses', () => {
    const { parsed } = parse('POST', [
      Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'),
    ]);
    assert.equal(parsed.status, 201);
    assert.deepEqual(parsed.ends, [true]);
  });

  it('knows responses without a body: HEAD, 204, 304', () => {
    assert.deepEqual(
      parse('HEAD', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')]).parsed.ends,
      [true],
    );
    assert.deepEqual(parse('GET', [Buffer.from('HTTP/1.1 204 No Content\r\n\r\n')]).parsed.ends, [true]);
    assert.deepEqual(
      parse('GET', [Buffer.from('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n')]).parsed.ends,
      [true],
    );
  });

  it('reads a close-delimited body to EOF and never reuses that connection', () => {
    const { parsed } = parse('GET', [Buffer.from('HTTP/1.1 200 OK\r\n\r\nab'), Buffer.from('cd')], true);
    assert.equal(parsed.body.toString(), 'abcd');
    assert.deepEqual(parsed.ends, [false]);
  });

  it('does not reuse after Connection: close or an HTTP/1.0 response without keep-alive', () => {
    assert.deepEqual(
      parse('GET', [Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')]).parsed
        .ends,
      [false],
    );
    assert.deepEqual(
      parse('GET', [Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')]).parsed.ends,
      [false],
    );
    assert.deepEqual(
      parse('GET', [Buffer.from('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n')])
        .parsed.ends,
      [true],
    );
  });

  it('counts bytes after a complete response as extra', () => {
    const { parser } = parse('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxJUNK')]);
    assert.equal(parser.extraBytes, 4);
  });

  it('rejects malformed responses with a one-line error', () => {
    const bad = [
      'HTTP/1.1 2000 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nbad header\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'SSH-2.0-OpenSSH\r\n\r\n',
    ];
    for (const wire of bad) {
      assert.throws(() => parse('GET', [Buffer.from(wire)]), ResponseParseError, wire);
    }
    assert.throws(
      () => parse('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab')], true),
      /middle/,
    );
    assert.throws(() => parse('GET', [], true), /without a response/);
  });
});

describe('simulate/http-head', () => {
  it('parses absolute-form targets without touching the path bytes', () => {
    assert.deepEqual(parseProxyTarget('http://Probe.LOCALHOST:8080/a/../b%2f?q=1#frag'), {
      hostname: 'probe.localhost',
      port: 8080,
      authority: 'Probe.LOCALHOST:8080',
      path: '/a/../b%2f?q=1',
    });
    assert.deepEqual(parseProxyTarget('HTTP://user:pw@example.com?x'), {
      hostname: 'example.com',
      port: 80,
      authority: 'example.com',
      path: '/?x',
    });
    assert.equal(parseProxyTarget('http://[::1]:81/').hostname, '::1');
  });

  it('refuses origin-form, https and bad authorities with a status', () => {
    for (const bad of [
      '/path',
      'https://example.com/',
      'http://:80/',
      'http://a b/',
      'http://x:99999/',
      'http:///x',
    ]) {
      assert.throws(() => parseProxyTarget(bad), ProxyInputError, bad);
    }
  });

  it('takes an origin-form target from the one Host header (transparent mode)', () => {
    assert.deepEqual(requestTarget('/p?q#f', ['Host', 'Partner.localhost:8080']), {
      hostname: 'partner.localhost',
      port: 8080,
      authority: 'Partner.localhost:8080',
      path: '/p?q',
    });
    assert.equal(requestTarget('http://a.localhost/', ['Host', 'b.localhost']).hostname, 'a.localhost');
    assert.throws(() => requestTarget('/', []), ProxyInputError);
    assert.throws(() => requestTarget('/', ['Host', 'a', 'Host', 'b']), ProxyInputError);
    assert.throws(() => requestTarget('*', ['Host', 'a']), ProxyInputError);
  });

  it('forwards no body framing but a single chunked coding (the connection closes after the 400)', () => {
    checkRequestFraming(undefined);
    checkRequestFraming('chunked');
    checkRequestFraming(' Chunked ');
    for (const te of [
      'gzip',
      'chunked, identity',
      'identity',
      'gzip, chunked',
      'xchunked',
      'chunked, chunked',
    ]) {
      assert.throws(
        () => checkRequestFraming(te),
        (err: unknown) => err instanceof ProxyInputError && err.status === 400 && err.close,
        te,
      );
    }
  });

  it('removes hop-by-hop headers and those Connection names, keeps the rest in order and case', () => {
    const target = parseProxyTarget('http://probe.localhost:81/');
    const out = forwardRequestHeaders(
      [
        'Host',
        'probe.localhost:81',
        'Proxy-Connection',
        'Keep-Alive',
        'Connection',
        'keep-alive, X-Hop',
        'X-Hop',
        'drop me',
        'Keep-Alive',
        'timeout=5',
        'Proxy-Authorization',
        'Basic eA==',
        'TE',
        'trailers',
        'Upgrade',
        'h2c',
        'X-Keep',
        'Me',
      ],
      target,
      { upgrade: false, chunkedBody: false },
    );
    assert.deepEqual(out.rawHeaders, [
      'Host',
      'probe.localhost:81',
      'Connection',
      'keep-alive',
      'X-Keep',
      'Me',
    ]);
    assert.equal(out.close, false);
  });

  it('keeps Connection: close (and honours it), Transfer-Encoding for a chunked body, Upgrade on upgrades', () => {
    const target = parseProxyTarget('http://probe.localhost/');
    const close = forwardRequestHeaders(['Host', 'probe.localhost', 'Connection', 'close'], target, {
      upgrade: false,
      chunkedBody: false,
    });
    assert.deepEqual(close, { rawHeaders: ['Host', 'probe.localhost', 'Connection', 'close'], close: true });
    const chunked = forwardRequestHeaders(
      ['Host', 'probe.localhost', 'Transfer-Encoding', 'chunked'],
      target,
      {
        upgrade: false,
        chunkedBody: true,
      },
    );
    assert.deepEqual(chunked.rawHeaders, ['Host', 'probe.localhost', 'Transfer-Encoding', 'chunked']);
    const up = forwardRequestHeaders(
      ['Host', 'probe.localhost', 'Connection', 'Upgrade', 'Upgrade', 'websocket'],
      target,
      { upgrade: true, chunkedBody: false },
    );
    assert.deepEqual(up.rawHeaders, [
      'Host',
      'probe.localhost',
      'Connection',
      'Upgrade',
      'Upgrade',
      'websocket',
    ]);
  });

  it('sets Host from the target when it is missing or different, and refuses two Host headers', () => {
    const target = parseProxyTarget('http://probe.localhost:8080/x');
    assert.deepEqual(
      forwardRequestHeaders(['Accept', '*/*'], target, { upgrade: false, chunkedBody: false }).rawHeaders,
      ['Host', 'probe.localhost:8080', 'Accept', '*/*'],
    );
    assert.deepEqual(
      forwardRequestHeaders(['host', 'evil.example'], target, { upgrade: false, chunkedBody: false })
        .rawHeaders,
      ['host', 'probe.localhost:8080'],
    );
    const port80 = parseProxyTarget('http://probe.localhost/');
    assert.deepEqual(
      forwardRequestHeaders(['Host', 'PROBE.localhost:80'], port80, { upgrade: false, chunkedBody: false })
        .rawHeaders,
      ['Host', 'PROBE.localhost:80'],
    );
    assert.throws(
      () => forwardRequestHeaders(['Host', 'a', 'Host', 'b'], target, { upgrade: false, chunkedBody: false }),
      ProxyInputError,
    );
  });

  it('passes Connection: close on in responses and drops hop-by-hop response headers', () => {
    const out = forwardResponseHeaders([
      'Content-Type',
      'text/plain',
      'connection',
      'close',
      'Transfer-Encoding',
      'chunked',
      'Keep-Alive',
      'timeout=5',
      'X-Echo',
      'Kept',
    ]);
    assert.deepEqual(out, {
      rawHeaders: ['Content-Type', 'text/plain', 'X-Echo', 'Kept', 'connection', 'close'],
      close: true,
    });
    assert.equal(forwardResponseHeaders(['Connection', 'keep-alive']).close, false);
  });

  it('writes the request head byte for byte', () => {
    assert.equal(
      serialiseRequestHead('GET', '/a?b', ['Host', 'x', 'X-Mixed-Case', 'V']).toString(),
      'GET /a?b HTTP/1.1\r\nHost: x\r\nX-Mixed-Case: V\r\n\r\n',
    );
  });
});
