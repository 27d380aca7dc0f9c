import assert from 'node:assert/strict';
import {
  connectAddress,
  isLoopbackAddress,
  literalAddress,
  reachesListener,
} from '../../src/simulate/addresses.ts';
import { ProxyInputError } from '../../src/simulate/http-head.ts';

describe('simulate/addresses', () => {
  it('resolves localhost and *.localhost to loopback by its own rule, other names unchanged', () => {
    assert.equal(connectAddress('probe.localhost'), '127.0.0.1');
    assert.equal(connectAddress('a.b.localhost'), '127.0.0.1');
    assert.equal(connectAddress('localhost'), '127.0.0.1');
    assert.equal(connectAddress('example.com'), 'example.com');
    assert.equal(connectAddress('notlocalhost'), 'notlocalhost');
  });

  it('reads every spelling of an IP literal as one canonical address', () => {
    const spellings: [string, string][] = [
      ['127.0.0.1', '127.0.0.1'],
      ['127.1', '127.0.0.1'],
      ['2130706433', '127.0.0.1'],
      ['0x7f.1', '127.0.0.1'],
      ['0x7f000001', '127.0.0.1'],
      ['0177.0.0.1', '127.0.0.1'],
      ['0', '0.0.0.0'],
      ['::ffff:127.0.0.1', '127.0.0.1'],
      ['::ffff:7f00:1', '127.0.0.1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['::1', '::1'],
      ['192.0.2.7', '192.0.2.7'],
    ];
    for (const [spelling, address] of spellings) {
      assert.equal(literalAddress(spelling), address, spelling);
      assert.equal(connectAddress(spelling), address, spelling);
    }
    assert.equal(literalAddress('example.com'), undefined);
    assert.equal(literalAddress('7700900123x.example'), undefined);
  });

  it('refuses a name that reads as a malformed IPv4 address (a resolver might still read it)', () => {
    for (const bad of ['999.1.1.1', 'a.0x7f', '1.2.3.4.5', '127.0.0.256']) {
      assert.throws(() => literalAddress(bad), ProxyInputError, bad);
    }
  });

  it('knows loopback addresses, mapped ones too', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:7f00:1'])
      assert.ok(isLoopbackAddress(ip), ip);
    for (const ip of ['128.0.0.1', '10.0.0.1', '::2', '0.0.0.0']) assert.ok(!isLoopbackAddress(ip), ip);
  });

  it('compares addresses and ports against where the simulator listens, failing closed', () => {
    const lo = { address: '127.0.0.1', port: 8888 };
    assert.ok(reachesListener('127.0.0.1', 8888, lo));
    assert.ok(reachesListener('127.0.0.2', 8888, lo), 'any loopback address, to fail closed');
    assert.ok(reachesListener('::1', 8888, lo));
    assert.ok(reachesListener('0.0.0.0', 8888, lo), 'a connect to 0.0.0.0 reaches this machine');
    assert.ok(!reachesListener('127.0.0.1', 8889, lo), 'another port');
    assert.ok(!reachesListener('192.0.2.7', 8888, lo));
    const lan = { address: '192.0.2.7', port: 8888 };
    assert.ok(reachesListener('192.0.2.7', 8888, lan));
    assert.ok(!reachesListener('127.0.0.1', 8888, lan));
    const any = { address: '::', port: 8888 };
    assert.ok(reachesListener('127.0.0.1', 8888, any));
    assert.ok(reachesListener('::ffff:7f00:1', 8888, any));
    assert.ok(!reachesListener('198.51.100.1', 8888, any), 'not an address of this machine');
    assert.ok(!reachesListener('127.0.0.1', 0, { address: '127.0.0.1', port: 0 }), 'not listening yet');
  });
});
