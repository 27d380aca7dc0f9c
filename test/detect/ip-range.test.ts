import assert from 'node:assert/strict';
import { inRange, parseCidr, parseIp } from '../../src/detect/ip-range.ts';

const within = (ip: string, cidr: string) => inRange(parseIp(ip)!, parseCidr(cidr)!);

describe('detect/ip-range', () => {
  it('parses IPv4, IPv6 (compressed, embedded IPv4, zone) and unwraps IPv4-mapped addresses', () => {
    assert.deepEqual(parseIp('127.0.0.2'), { family: 4, value: 0x7f000002n });
    assert.deepEqual(parseIp('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseIp('[::1]'), { family: 6, value: 1n });
    assert.deepEqual(parseIp('::ffff:127.0.0.2'), { family: 4, value: 0x7f000002n });
    assert.deepEqual(parseIp('::ffff:7f00:2'), { family: 4, value: 0x7f000002n });
    assert.deepEqual(parseIp('2001:db8::1'), { family: 6, value: (0x20010db8n << 96n) | 1n });
    assert.deepEqual(parseIp('fe80::1%eth0'), { family: 6, value: (0xfe80n << 112n) | 1n });
    assert.deepEqual(parseIp('1:2:3:4:5:6:7:8')?.family, 6);
  });

  it('refuses what is not an address', () => {
    for (const bad of [
      '',
      '256.0.0.1',
      '1.2.3',
      '01.2.3.4',
      'a.b.c.d',
      '1:2:3:4:5:6:7',
      '1::2::3',
      '12345::',
      'x::1',
      '1:2:3:4:5:6:7:8:9',
    ])
      assert.equal(parseIp(bad), undefined, bad);
  });

  it('matches ranges of either family; mapped addresses match IPv4 ranges; families never cross', () => {
    assert.ok(within('127.0.0.2', '127.0.0.2/32'));
    assert.ok(!within('127.0.0.1', '127.0.0.2/32'));
    assert.ok(within('100.64.1.2', '100.64.0.0/10'));
    assert.ok(!within('100.128.0.1', '100.64.0.0/10'));
    assert.ok(within('::ffff:127.0.0.2', '127.0.0.0/8'));
    assert.ok(within('2001:db8:1::5', '2001:db8::/32'));
    assert.ok(!within('2001:db9::5', '2001:db8::/32'));
    assert.ok(!within('::1', '0.0.0.0/0'));
    assert.ok(within('10.0.0.1', '0.0.0.0/0'));
    assert.ok(within('::ffff:10.0.0.1', '::ffff:10.0.0.0/104'));
    assert.ok(within('127.0.0.9', '127.0.0.9'), 'a single address is its own range');
  });

  it('refuses malformed ranges', () => {
    for (const bad of ['127.0.0.0/33', '::/129', '127.0.0.0/x', '127.0.0.0/8/1', 'nope/8', '127.0.0.0/-1'])
      assert.equal(parseCidr(bad), undefined, bad);
  });
});
