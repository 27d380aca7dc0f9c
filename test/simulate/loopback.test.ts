import assert from 'node:assert/strict';
import { ProxyInputError } from '../../src/simulate/http-head.ts';
import { isLoopbackName, isSelf, selfError } from '../../src/simulate/loopback.ts';

describe('simulate/loopback', () => {
  it('knows loopback and wildcard names, and nothing else', () => {
    for (const name of ['localhost', 'probe.localhost', '127.0.0.1', '127.1.2.3', '::1', '0.0.0.0', '::']) {
      assert.equal(isLoopbackName(name), true, name);
    }
    for (const name of ['example.com', 'localhost.example.com', '10.0.0.1', '128.0.0.1', '::2']) {
      assert.equal(isLoopbackName(name), false, name);
    }
  });

  it('a target is the simulator itself on its port, by a loopback name or its bind address', () => {
    assert.equal(isSelf({ hostname: 'sim.localhost', port: 8888 }, '127.0.0.1', 8888), true);
    assert.equal(isSelf({ hostname: '192.0.2.7', port: 8888 }, '192.0.2.7', 8888), true);
    assert.equal(isSelf({ hostname: '192.0.2.7', port: 8888 }, '127.0.0.1', 8888), false);
    assert.equal(isSelf({ hostname: 'localhost', port: 8889 }, '127.0.0.1', 8888), false);
  });

  it('refuses a browser pointed at it with 400 and a proxied loop with 508', () => {
    const direct = selfError('/me');
    assert.ok(direct instanceof ProxyInputError);
    assert.equal(direct.status, 400);
    assert.match(direct.message, /forward proxy/);
    assert.equal(selfError('http://127.0.0.1:8888/').status, 508);
  });
});
