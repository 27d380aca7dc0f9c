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

/** Render a zod-style issue path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Smallest edit distance, for "did you mean" hints on misspelt keys. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

interface IssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/** One line for the first zod issue: `<where>: <field>: <what is wrong>`. */
export function describeIssue(
  where: string,
  issue: IssueLike,
  knownKeys: (path: string) => readonly string[],
) {
  const path = formatPath(issue.path ?? []);
  if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
    const key = issue.keys[0]!;
    const hint = closest(key, knownKeys(path));
    const field = path ? `${path}.${key}` : key;
    return `${where}: ${field}: unknown key${hint ? ` (did you mean '${hint}'?)` : ''}`;
  }
  return `${where}: ${path || '(top level)'}: ${issue.message}`;
}
