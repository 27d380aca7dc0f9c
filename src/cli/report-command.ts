import type { Command } from 'commander';
import { UserError } from '../shared/errors.ts';

/** `headerguard report` — not implemented yet. */
export function registerReport(program: Command): Command {
  return program
    .command('report')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('report is not implemented yet');
    });
}
