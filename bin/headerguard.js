#!/usr/bin/env node
// The `headerguard` command. TypeScript sources run through tsx, so a fresh clone works right after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
