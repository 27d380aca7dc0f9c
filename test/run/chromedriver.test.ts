import assert from 'node:assert/strict';
import { startChromedriver } from '../../src/run/chromedriver.ts';
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
