import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startChromedriver } from '../../src/run/chromedriver.ts';
import { CHROMIUM } from '../../src/shared/chromium.ts';
import { freePort } from '../../src/shared/free-port.ts';

/** Whether a chromedriver on `port` answers /status as ready. */
async function statusReady(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/status`);
  return ((await res.json()) as { value: { ready: boolean } }).value.ready;
}

describe('run/chromedriver: the one driver of a run', function () {
  this.timeout(20_000);

  it('is ready to serve when started, and gone when stopped', async () => {
    const port = await freePort();
    const driver = await startChromedriver(port);
    assert.equal(await statusReady(port), true);
    await driver.stop();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/status`));
  });

  it('leaves nothing in the temp dir once stopped, though the browsers it quit and killed leave files', async () => {
    const saved = process.env.TMPDIR;
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-test-'));
    process.env.TMPDIR = tmp;
    try {
      const port = await freePort();
      const driver = await startChromedriver(port);
      const open = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/session`, {
          method: 'POST',
          body: JSON.stringify({
            capabilities: {
              alwaysMatch: {
                browserName: 'chrome',
                'goog:chromeOptions': {
                  binary: CHROMIUM,
                  args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
                },
              },
            },
          }),
        });
        return ((await res.json()) as { value: { sessionId: string } }).value.sessionId;
      };
      // One session quit as a worker quits it (Chromium leaves its singleton-socket directory behind), one left
      // open as a crashed worker leaves it (its browser is killed with the driver).
      const quit = await open();
      await fetch(`http://127.0.0.1:${port}/session/${quit}`, { method: 'DELETE' });
      await open();
      assert.ok(readdirSync(tmp).length > 0, 'the browsers wrote to the temp dir the driver was given');
      await driver.stop();
      assert.deepEqual(readdirSync(tmp), []);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('refuses a port another process holds: a PortInUseError naming it, not that process taken for ours', async () => {
    const port = await freePort();
    const other = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    try {
      await assert.rejects(startChromedriver(port), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'EADDRINUSE');
        assert.equal(err.message, `127.0.0.1:${port}: the port is already in use`);
        return true;
      });
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("does not take another run's chromedriver on its port for its own, nor stop it", async () => {
    const port = await freePort();
    const theirs = await startChromedriver(port);
    try {
      // Their /status answers "ready" on that port: ours must not count that as its own start.
      await assert.rejects(startChromedriver(port), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'EADDRINUSE');
        return true;
      });
      assert.equal(await statusReady(port), true, 'theirs still runs');
    } finally {
      await theirs.stop();
    }
  });

  it('fails with one line naming the binary when it cannot start (the run is then broken)', async () => {
    const port = await freePort();
    await assert.rejects(startChromedriver(port, { binary: '/nonexistent/chromedriver' }), (err: Error) => {
      assert.match(err.message, /\/nonexistent\/chromedriver/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });

  it('fails when the driver exits before it is ready', async () => {
    const port = await freePort();
    await assert.rejects(
      startChromedriver(port, { binary: '/bin/false' }),
      /exited \(code 1\) before it was ready/,
    );
  });

  it('fails when the driver never says it listens, whatever answers on its port', async () => {
    const port = await freePort();
    // A stand-in that stays up, prints no banner, and has a "ready" chromedriver answering on its port meanwhile.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-test-'));
    const silent = path.join(dir, 'silent-driver');
    writeFileSync(silent, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const theirs = await startChromedriver(port);
    try {
      await assert.rejects(
        startChromedriver(port, { binary: silent, readyTimeoutMs: 500 }),
        new RegExp(`chromedriver on port ${port} did not say it was listening .* within 0.5 s`),
      );
      assert.equal(await statusReady(port), true, 'theirs still runs');
    } finally {
      await theirs.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
