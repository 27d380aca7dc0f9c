import { UserError } from '../shared/errors.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { maskDigitRuns } from '../shared/mask.ts';

/**
 * Bad input to the verdict engine (a policy, an identity, a scan file). Always one line, exit code 2, and any
 * digit run in it masked, so a quoted identifier never reaches a terminal whole.
 */
export class DetectInputError extends UserError {
  constructor(message: string) {
    super(maskDigitRuns(message.replace(/\s*\n\s*/g, ' ')), EXIT.usage);
    this.name = 'DetectInputError';
  }
}

/** A bearer policy that does not validate or does not resolve (unknown parent, cycle). */
export class PolicyError extends DetectInputError {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}
