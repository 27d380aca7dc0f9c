import type { Command } from 'commander';
import { UserError } from '../shared/errors.ts';

/** `headerguard scan` — not implemented yet. */
export function registerScan(program: Command): Command {
  return program
    .command('scan')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('scan is not implemented yet');
    });
}
