import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ProxyInputError } from '../../src/simulate/http-head.ts';
import {
  guardedLookup,
  isLoopbackName,
  isSelf,
  SELF_LOOP_CODE,
  selfError,
} from '../../src/simulate/loopback.ts';
import { resolveOptions } from '../../src/simulate/options.ts';
import { startProxy } from '../../src/simulate/proxy.ts';
import { connectTunnel, rawExchange } from './helpers.ts';

describe('simulate/loopback', () => {
  it('knows loopback and wildcard names, and nothing else', () => {
    for (const name of ['localhost', 'probe.localhost', '127.0.0.1', '127.1.2.3', '::1', '0.0.0.0', '::']) {
      assert.equal(isLoopbackName(name), true, name);
    }
    for (const name of ['example.com', 'localhost.example.com', '10.0.0.1', '128.0.0.1', '::2']) {
      assert.equal(isLoopbackName(name), false, name);
    }
  });

  it('a target is the simulator itself on its port, whatever the spelling of its address', () => {
    const lo = { address: '127.0.0.1', port: 8888 };
    for (const hostname of ['sim.localhost', 'localhost', '127.0.0.1', '127.1', '2130706433', '0x7f.1']) {
      assert.equal(isSelf({ hostname, port: 8888 }, lo), true, hostname);
    }
    assert.equal(isSelf({ hostname: '::ffff:127.0.0.1', port: 8888 }, lo), true);
    assert.equal(isSelf({ hostname: '::1', port: 8888 }, lo), true);
    assert.equal(isSelf({ hostname: '192.0.2.7', port: 8888 }, { address: '192.0.2.7', port: 8888 }), true);
    assert.equal(isSelf({ hostname: '192.0.2.7', port: 8888 }, lo), false);
    assert.equal(isSelf({ hostname: 'localhost', port: 8889 }, lo), false);
    assert.equal(isSelf({ hostname: 'example.com', port: 8888 }, lo), false, 'names: checked on resolution');
  });

  it('refuses a browser pointed at it with 400 and a proxied loop with 508', () => {
    const direct = selfError('/me');
    assert.ok(direct instanceof ProxyInputError);
    assert.equal(direct.status, 400);
    assert.match(direct.message, /forward proxy/);
    assert.equal(selfError('http://127.0.0.1:8888/').status, 508);
  });

  it('resolves names as usual, and refuses one whose address is the simulator', async () => {
    const lookup = (refuse: (a: string) => boolean, all: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup(refuse)('localhost', { all }, (err, address) => resolve({ err, address })),
      );
    const passed = await lookup(() => false, true);
    assert.equal(passed.err, null);
    assert.ok(Array.isArray(passed.address) && passed.address.length > 0);
    for (const all of [true, false]) {
      const refused = await lookup((a) => a === '127.0.0.1' || a === '::1', all);
      assert.equal(refused.err?.code, SELF_LOOP_CODE);
    }
  });

  it('refuses a request to itself at once, in every spelling of its address (no hop forwarded)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const sim = await startProxy(
      resolveOptions({ bearer: 'o2', msisdn: '447700900123', logLevel: 'info' }),
      sink,
    );
    try {
      const p = sim.port;
      const spellings = ['127.1', '2130706433', '0x7f.1', '0177.0.0.1', '[::ffff:127.0.0.1]'];
      spellings.push('localhost.', '[::1]', '[0:0:0:0:0:0:0:1]', '0', 'SIM.localhost', '127.0.0.1.');
      for (const host of spellings) {
        const absolute = await rawExchange(
          p,
          `GET http://${host}:${p}/ HTTP/1.1\r\nHost: ${host}:${p}\r\n\r\n`,
        );
        assert.match(absolute, /^HTTP\/1\.1 508 [\s\S]*\r\n\r\nheaderguard sim: request loops back/, host);
        const origin = await rawExchange(p, `GET / HTTP/1.1\r\nHost: ${host}:${p}\r\n\r\n`);
        assert.match(origin, /^HTTP\/1\.1 400 [\s\S]*this is a forward proxy/, host);
        const tunnel = await connectTunnel(p, `${host}:${p}`);
        tunnel.socket.destroy();
        assert.equal(tunnel.status, 508, host);
      }
      const forwarded = lines.filter((l) => /"msg":"(request|tunnel|upgrade)"/.test(l));
      assert.deepEqual(forwarded, [], 'nothing was forwarded');
    } finally {
      await sim.close();
    }
  });
});
