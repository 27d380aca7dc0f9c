import assert from 'node:assert/strict';
import net from 'node:net';
import { OwnedUpstreams, Upstream } from '../../src/simulate/upstream-pool.ts';

function upstream(owner: OwnedUpstreams, key = 'probe.localhost:80'): Upstream {
  const u = new Upstream(new net.Socket(), key, (gone) => owner.forget(gone));
  owner.all.add(u);
  return u;
}

describe('simulate/upstream-pool: upstreams owned by a client connection', () => {
  it('hands an idle upstream back for the same host and port only, most recent first', () => {
    const owner = new OwnedUpstreams();
    const a = upstream(owner);
    const b = upstream(owner);
    const other = upstream(owner, 'partner.localhost:80');
    owner.release(a);
    owner.release(b);
    owner.release(other);
    assert.equal(owner.takeIdle('probe.localhost:80'), b);
    assert.equal(owner.takeIdle('probe.localhost:80'), a);
    assert.equal(owner.takeIdle('probe.localhost:80'), undefined);
    assert.equal(owner.takeIdle('partner.localhost:80'), other);
    owner.close();
  });

  it('never hands back a destroyed upstream', () => {
    const owner = new OwnedUpstreams();
    const a = upstream(owner);
    owner.release(a);
    a.socket.destroy();
    assert.equal(owner.takeIdle('probe.localhost:80'), undefined);
  });

  it('clears the handler on release, and destroys instead once the client connection closed', () => {
    const owner = new OwnedUpstreams();
    const a = upstream(owner);
    a.handler = { data() {}, end() {}, error() {}, close() {} };
    owner.release(a);
    assert.equal(a.handler, undefined);
    const b = upstream(owner);
    owner.close();
    assert.equal(a.socket.destroyed, true, 'close destroys idle upstreams');
    assert.equal(b.socket.destroyed, true, 'and busy ones');
    const c = upstream(owner);
    owner.release(c);
    assert.equal(c.socket.destroyed, true);
    assert.equal(owner.takeIdle('probe.localhost:80'), undefined);
  });

  it('forgets an upstream once its socket closes', async () => {
    const owner = new OwnedUpstreams();
    const a = upstream(owner);
    owner.release(a);
    a.socket.destroy();
    await new Promise((resolve) => a.socket.once('close', resolve));
    assert.equal(owner.all.has(a), false);
    assert.deepEqual(owner.idle.get('probe.localhost:80'), []);
  });
});
