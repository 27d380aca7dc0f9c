import { UserError } from '../shared/errors.ts';

/** How many problem lines a farm error shows before `... and N more`. */
export const MAX_SHOWN = 20;

/**
 * A farm file's errors, all of them: one alone is one line (`farm x.json: handset "p1": bearer: …`); several
 * are a count line (`farm x.json: 3 errors`) and then a line each, at most MAX_SHOWN. Exit code 2.
 */
export class FarmError extends UserError {
  /** Every problem line, each complete (`farm x.json: …`), however many were shown. */
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[], where?: string) {
    const lines = typeof problems === 'string' ? [problems] : [...problems];
    super(formatProblems(lines, where ?? lines[0] ?? 'farm'));
    this.name = 'FarmError';
    this.problems = lines;
  }
}

/** The message for `lines` (see FarmError); `where` (`farm x.json`) starts the count lines. */
export function formatProblems(lines: readonly string[], where: string): string {
  if (lines.length === 1) return lines[0]!;
  const shown = lines.slice(0, MAX_SHOWN);
  const more = lines.length - shown.length;
  return [
    `${where}: ${lines.length} errors`,
    ...shown,
    ...(more > 0 ? [`${where}: ... and ${more} more`] : []),
  ].join('\n');
}

/** Collects a farm file's problems as complete lines, each starting with `where`. */
export class FarmProblems {
  readonly lines: string[] = [];
  constructor(readonly where: string) {}

  /** Add `<where>: <what>` (one line). */
  add(what: string): void {
    this.lines.push(`${this.where}: ${what}`.replace(/\s*\n\s*/g, ' '));
  }

  get count(): number {
    return this.lines.length;
  }

  /** Throw every problem so far as one FarmError. */
  throwIfAny(): void {
    if (this.lines.length > 0) throw new FarmError(this.lines, this.where);
  }
}
