import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { usageErrorLine } from '../src/cli.ts';
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

describe('cli: usage errors', () => {
  it("puts commander's messages in headerguard's one-line style, masked", () => {
    assert.equal(
      usageErrorLine("error: unknown option '--nope'\n(run with --help for usage)\n"),
      "headerguard: unknown option '--nope' (run with --help for usage)\n",
    );
    assert.equal(
      usageErrorLine("error: option '--msisdn <number>' argument '447700900123' is invalid.\n"),
      "headerguard: option '--msisdn <number>' argument '4477******23' is invalid. (run with --help for usage)\n",
    );
  });

  it('a mistyped flag or command: exit 2, one stderr line, no stack trace', async function () {
    this.timeout(30_000);
    for (const args of [['run', '--nope'], ['frob']]) {
      const res = await runCli(args);
      assert.equal(res.code, 2, res.stderr);
      const lines = res.stderr.trim().split('\n');
      assert.equal(lines.length, 1, res.stderr);
      assert.match(
        lines[0]!,
        /^headerguard: unknown (option '--nope'|command 'frob') \(run with --help for usage\)$/,
      );
    }
  });
});
