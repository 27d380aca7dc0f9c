import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChromedriver } from '../../src/run/chromedriver.ts';
import { CHROMIUM } from '../../src/shared/chromium.ts';
import { freePort } from '../../src/shared/free-port.ts';

describe('run/chromedriver: the one driver of a run', function () {
  this.timeout(20_000);

  it('is ready to serve when started, and gone when stopped', async () => {
    const port = await freePort();
    const driver = await startChromedriver(port);
    const res = await fetch(`http://127.0.0.1:${port}/status`);
    assert.equal(((await res.json()) as { value: { ready: boolean } }).value.ready, true);
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
});
