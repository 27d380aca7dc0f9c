import assert from 'node:assert/strict';
import type net from 'node:net';
import pino from 'pino';
import {
  answerClientError,
  errorCode,
  rawError,
  upstreamFailureStatus,
} from '../../src/simulate/raw-errors.ts';
import { ResponseParseError } from '../../src/simulate/response-parser.ts';

/** A client socket that records what is written to it. */
function fakeSocket(writable = true): net.Socket & { written: string; destroyed: boolean } {
  const s = {
    writable,
    written: '',
    destroyed: false,
    end(data?: string) {
      if (data) s.written += data;
    },
    destroy() {
      s.destroyed = true;
    },
    once() {
      return s;
    },
  };
  return s as unknown as net.Socket & { written: string; destroyed: boolean };
}

const silent = pino({ level: 'silent' });

describe('simulate/raw-errors', () => {
  it('names an error by its errno code, else its class name', () => {
    assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(errorCode(new TypeError('x')), 'TypeError');
    assert.equal(errorCode(undefined), 'error');
  });

  it('maps upstream failures: timeout 504, unreadable response and unreachable 502', () => {
    assert.deepEqual(upstreamFailureStatus(Object.assign(new Error('t'), { code: 'ETIMEDOUT' })), {
      status: 504,
      reason: 'upstream timed out (ETIMEDOUT)',
    });
    assert.deepEqual(upstreamFailureStatus(new ResponseParseError('bad status line')), {
      status: 502,
      reason: 'bad status line',
    });
    assert.equal(upstreamFailureStatus(Object.assign(new Error('r'), { code: 'ECONNREFUSED' })).status, 502);
  });

  it('writes a one-line text answer on a raw socket and closes it; destroys one it cannot write', () => {
    const s = fakeSocket();
    rawError(s, 508, 'tunnel loops back to the simulator itself');
    const body = 'headerguard sim: tunnel loops back to the simulator itself\n';
    assert.equal(
      s.written,
      'HTTP/1.1 508 Loop Detected\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    const gone = fakeSocket(false);
    rawError(gone, 502, 'x');
    assert.equal(gone.written, '');
    assert.equal(gone.destroyed, true);
  });

  it('answers a malformed request with 400, an oversize head with 431 (one line each), and closes on a reset', () => {
    const s = fakeSocket();
    answerClientError(silent, Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), s);
    assert.match(
      s.written,
      /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nheaderguard sim: malformed request\n$/,
    );
    const slow = fakeSocket();
    answerClientError(silent, Object.assign(new Error('slow'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), slow);
    assert.match(
      slow.written,
      /^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*headerguard sim: request not received in time\n$/,
    );
    const big = fakeSocket();
    answerClientError(silent, Object.assign(new Error('big'), { code: 'HPE_HEADER_OVERFLOW' }), big);
    assert.match(
      big.written,
      /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[\s\S]*\r\n\r\nheaderguard sim: request header block too large\n$/,
    );
    const reset = fakeSocket();
    answerClientError(silent, Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset);
    assert.equal(reset.written, '');
    assert.equal(reset.destroyed, true);
  });
});
