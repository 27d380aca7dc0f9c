import assert from 'node:assert/strict';
import { usageErrorLine } from '../src/cli.ts';
import { runCli } from './support/cli.ts';

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
