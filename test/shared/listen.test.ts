import assert from 'node:assert/strict';
import net from 'node:net';
import { listen } from '../../src/shared/listen.ts';

function closed(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('shared/listen', () => {
  it('resolves with the bound port, an ephemeral one for 0', async () => {
    const server = net.createServer();
    const port = await listen(server, 0, '127.0.0.1', () => {});
    try {
      assert.ok(port > 0);
      assert.equal((server.address() as net.AddressInfo).port, port);
    } finally {
      await closed(server);
    }
  });

  it('rejects with the listen error itself, leaving no listener behind', async () => {
    const first = net.createServer();
    const port = await listen(first, 0, '127.0.0.1', () => {});
    const second = net.createServer();
    try {
      await assert.rejects(
        listen(second, port, '127.0.0.1', () => {}),
        { code: 'EADDRINUSE' },
      );
      assert.equal(second.listenerCount('listening'), 0);
      assert.equal(second.listenerCount('error'), 0);
    } finally {
      await closed(first);
    }
  });

  it('sends later server errors to onError instead of throwing', async () => {
    const server = net.createServer();
    const seen: string[] = [];
    await listen(server, 0, '127.0.0.1', (err) => seen.push(err.code ?? ''));
    try {
      server.emit('error', Object.assign(new Error('later'), { code: 'EMFILE' }));
      assert.deepEqual(seen, ['EMFILE']);
    } finally {
      await closed(server);
    }
  });
});
