/**
 * Bounds on a run's `meta`: free JSON from the caller, stored with the run and sent back with every read of its
 * captures. A deeply nested value is cheap to send and breaks every later `JSON.stringify` of the answer (V8
 * recurses: about 4,000 levels exhaust its stack), so depth and size are checked when a run is created, and
 * again when one is read back (a run stored before these bounds, or a damaged row, must not make its captures
 * unreadable).
 */

/** Most levels of objects and arrays in `meta`, itself included: `{"a": {"b": 1}}` has 2. */
export const MAX_META_DEPTH = 8;

/** Most bytes `meta` may have as JSON (UTF-8). */
export const MAX_META_BYTES = 4096;

/**
 * What is wrong with `meta` (one line, no values), or undefined when it is within bounds. Iterative, so no
 * depth of input can exhaust the stack here, and it stops at the first level past the bound.
 */
export function metaProblem(meta: unknown): string | undefined {
  const pending: [value: object, depth: number][] = [];
  if (typeof meta === 'object' && meta !== null) pending.push([meta, 1]);
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (depth > MAX_META_DEPTH) return `nested deeper than ${MAX_META_DEPTH} levels`;
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  if (Buffer.byteLength(JSON.stringify(meta) ?? '') > MAX_META_BYTES) {
    return `larger than ${MAX_META_BYTES} bytes as JSON`;
  }
  return undefined;
}
