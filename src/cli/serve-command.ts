import type { Command } from 'commander';
import { UserError } from '../shared/errors.ts';

/** `headerguard serve` — not implemented yet. */
export function registerServe(program: Command): Command {
  return program
    .command('serve')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('serve is not implemented yet');
    });
}
