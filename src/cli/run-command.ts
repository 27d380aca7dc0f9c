import type { Command } from 'commander';
import { UserError } from '../shared/errors.ts';

/** `headerguard run` — not implemented yet. */
export function registerRun(program: Command): Command {
  return program
    .command('run')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('run is not implemented yet');
    });
}
