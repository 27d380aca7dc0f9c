import { z } from 'zod';

/**
 * THE formatter of configuration errors (farm files, bearer policies, scan inputs, the serve config file): one
 * line `<where>: <field path>: <what is wrong>`, whether the problem was found by a zod schema or by hand.
 *
 *   farm devices/lab.json: handset "p1": emulated: unknown key "emulated" (known: id, bearer, …; did you mean "emulate"?)
 *   run.json: captures[0].tls: expected a boolean, got a string
 *   p: (top level): expected an object, got a string
 *
 * Values are never echoed, except short strings for an enum (`expected one of …, got "x"`); callers' error
 * classes mask digit runs as well.
 */

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;

/** `a.b[2].c`; `(top level)` for the empty path. */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

/** One line: `<where>: <field path>: <what is wrong>`. */
export function configErrorLine(where: string, path: Path, what: string): string {
  return `${where}: ${formatPath(path)}: ${what}`.replace(/\s*\n\s*/g, ' ');
}

/** `unknown key "x" (known: a, b, c; did you mean "a"?)`. */
export function unknownKey(key: string, known: readonly string[]): string {
  const hint = closest(key, known);
  const list = known.length > 0 ? `known: ${known.join(', ')}` : 'no keys are allowed here';
  return `unknown key ${JSON.stringify(key)} (${list}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''})`;
}

/** `expected a string, got a number`. */
export function wrongType(expected: string, value: unknown): string {
  return `expected ${expected}, got ${kindOf(value)}`;
}

/** What a value is, in words: `a number`, `an array`, `nothing` (undefined). */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return article(typeof value);
}

/** The candidate closest to `word` by edit distance, when close enough to be a likely typo. */
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

/** The issue worth reporting: an unknown key first (a typo explains the issues it causes), else the first. */
export function pickIssue(issues: readonly Issue[]): Issue {
  return issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
}

/**
 * The field path and what is wrong, for a zod issue found by `schema` (parse with `{ reportInput: true }` so
 * the received type can be named). An unknown key's path ends with the key; its known keys come from the schema.
 */
export function describeZodIssue(issue: Issue, schema: z.ZodType): { path: PropertyKey[]; what: string } {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, path);
    if (issue.keys.length === 1)
      return { path: [...path, issue.keys[0]!], what: unknownKey(issue.keys[0]!, known) };
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return { path, what: `unknown keys ${keys} (known: ${known.join(', ')})` };
  }
  const custom = issue.message !== defaultMessage(issue) ? issue.message : undefined;
  return { path, what: custom ?? standardMessage(issue) };
}

/** `describeZodIssue` of the issue worth reporting, as one line. */
export function zodErrorLine(where: string, error: z.ZodError, schema: z.ZodType): string {
  const { path, what } = describeZodIssue(pickIssue(error.issues), schema);
  return configErrorLine(where, path, what);
}

/** The keys an object schema at `path` (inside `schema`) allows; empty when there is no object there. */
export function knownKeysAt(schema: z.ZodType, path: Path): string[] {
  const keys = new Set<string>();
  const walk = (s: z.core.$ZodType, rest: Path): void => {
    const def = s._zod.def as unknown as Def;
    const wrapped = innerOf(def);
    if (wrapped) walk(wrapped, rest);
    else if (def.type === 'union') for (const o of def.options as z.core.$ZodType[]) walk(o, rest);
    else if (def.type === 'object') {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const [head, ...tail] = rest;
      if (head === undefined) for (const k of Object.keys(shape)) keys.add(k);
      else if (typeof head === 'string' && shape[head]) walk(shape[head], tail);
    } else if (def.type === 'array' && typeof rest[0] === 'number')
      walk(def.element as z.core.$ZodType, rest.slice(1));
    else if (def.type === 'tuple' && typeof rest[0] === 'number') {
      const item = (def.items as z.core.$ZodType[])[rest[0]] ?? (def.rest as z.core.$ZodType | null);
      if (item) walk(item, rest.slice(1));
    } else if (def.type === 'record' && rest.length > 0)
      walk(def.valueType as z.core.$ZodType, rest.slice(1));
  };
  walk(schema, path);
  return [...keys];
}

type Def = Record<string, unknown> & { type: string };

/** The schema a wrapper (optional, default, pipe, lazy, …) wraps; undefined for anything else. */
function innerOf(def: Def): z.core.$ZodType | undefined {
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return def.innerType as z.core.$ZodType;
    case 'pipe':
      return def.in as z.core.$ZodType;
    case 'lazy':
      return (def.getter as () => z.core.$ZodType)();
    default:
      return undefined;
  }
}

const EN = z.locales.en();

/** The message zod's English locale gives an issue, to tell a schema's own message from the default. */
function defaultMessage(issue: Issue): string | undefined {
  const m = EN.localeError(issue as unknown as z.core.$ZodRawIssue);
  return typeof m === 'string' ? m : m?.message;
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  record: 'an object',
  tuple: 'an array',
  nan: 'NaN',
};

function article(type: string): string {
  return TYPE_NAMES[type] ?? (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
}

function standardMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = article(issue.expected);
      if ('input' in issue) return wrongType(expected, issue.input);
      const received = /received (\w+)/.exec(issue.message)?.[1];
      return received
        ? `expected ${expected}, got ${received === 'undefined' ? 'nothing' : article(received)}`
        : `expected ${expected}`;
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const input = (issue as { input?: unknown }).input;
      const got = typeof input === 'string' && input.length <= 40 ? `, got ${JSON.stringify(input)}` : '';
      return issue.values.length === 1 ? `expected ${options}${got}` : `expected one of ${options}${got}`;
    }
    case 'too_small':
      return bound(issue.origin, Number(issue.minimum), issue.inclusive !== false, 'at least', 'more than');
    case 'too_big':
      return bound(issue.origin, Number(issue.maximum), issue.inclusive !== false, 'at most', 'less than');
    case 'invalid_format':
      return issue.format === 'regex' ? 'has the wrong format' : `not a valid ${issue.format}`;
    case 'invalid_union': {
      // When every alternative failed on the type itself, list the types: `expected a string or an object`.
      const types = issue.errors.map((alt) =>
        alt.find((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      if (types.length > 0 && types.every((t) => t !== undefined)) {
        const expected = [...new Set(types.map((t) => article((t as { expected: string }).expected)))].join(
          ' or ',
        );
        return 'input' in issue ? wrongType(expected, issue.input) : `expected ${expected}`;
      }
      return 'matches none of the allowed shapes';
    }
    default:
      return issue.message;
  }
}

function bound(origin: string, n: number, inclusive: boolean, incl: string, excl: string): string {
  if (origin === 'string') {
    if (n === 1 && incl === 'at least') return 'must not be empty';
    return `must have ${inclusive ? incl : excl} ${n} character${n === 1 ? '' : 's'}`;
  }
  if (origin === 'array' || origin === 'set') {
    if (n === 1 && incl === 'at least') return 'must not be empty';
    return `must have ${inclusive ? incl : excl} ${n} item${n === 1 ? '' : 's'}`;
  }
  return `must be ${inclusive ? incl : excl} ${n}`;
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
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
