import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './support/cli.ts';

describe('cli: errors for the user', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every line of a several-line error with the headerguard prefix, masked, exit 2', async () => {
    // Two mistakes: the run stops at farm validation, before anything starts.
    const file = path.join(dir, 'bad.json');
    const handset = {
      id: 'p1',
      bearer: 'o2',
      emulate: 'Pixel7',
      proxy: 'sim:o2',
      identity: { msisdn: '4477009002' },
    };
    await writeFile(file, JSON.stringify({ name: 'bad', handsets: [handset] }));
    const res = await runCli(['run', '--farm', file], { timeoutMs: 60_000 });
    assert.equal(res.code, 2, res.stderr);
    const lines = res.stderr.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(file, 'F').replace(/: expected .*/, ': expected …')),
      [
        'headerguard: farm F: 2 errors',
        'headerguard: farm F: handset "p1": emulate: unknown emulated device "Pixel7" (did you mean "Pixel 7"?)',
        'headerguard: farm F: handset "p1": identity.msisdn: expected …',
      ],
    );
    assert.ok(!res.stderr.includes('4477009002'), 'the number is masked');
  });
});
