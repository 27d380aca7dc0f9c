#!/usr/bin/env node
// The `headerguard` command. TypeScript sources run through tsx, so a fresh clone works right after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';

// `run` spends most of its start loading WebdriverIO's launcher; loaded before tsx's module hooks exist it
// loads in about half the time (every import through a hook is a round trip to the loader thread). It is
// imported only for `run`: it installs a SIGINT handler that other subcommands must not get.
if (process.argv[2] === 'run' && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  await import('@wdio/cli');
}
register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
