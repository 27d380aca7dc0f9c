import type { Command } from 'commander';
import { UserError } from '../shared/errors.ts';

/** `headerguard sim` — not implemented yet. */
export function registerSim(program: Command): Command {
  return program
    .command('sim')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('sim is not implemented yet');
    });
}
