// A pushed document is walked many times (JSON.stringify, the zod schema, jsonEqual, the quarantine copy, the
// answer's serialiser), each recursively. A document nested a few thousand levels deep overflows the stack in
// any of them and turned the whole batch into a 500 the client retries forever (docs/architecture.md#no-poison-pills).
// So its shape is checked first, iteratively, and a bad one is only ever handled as a pruned copy.

/** Deepest nesting a document may have (the model's deepest, a visit's items, is 3). */
export const MAX_DOC_DEPTH = 32;
/** Most values (objects, arrays and scalars) one document may hold. */
export const MAX_DOC_NODES = 20_000;

/** Why a value's shape is unacceptable (too deep, too many values), or null; never recurses. */
export function shapeProblem(value: unknown, limits = { depth: MAX_DOC_DEPTH, nodes: MAX_DOC_NODES }): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [next, depth] = stack.pop()!;
    if (++nodes > limits.nodes) return `document holds more than ${limits.nodes} values`;
    if (typeof next !== 'object' || next === null) continue;
    if (depth >= limits.depth) return `document nested deeper than ${limits.depth} levels`;
    for (const child of Array.isArray(next) ? next : Object.values(next)) stack.push([child, depth + 1]);
  }
  return null;
}

/**
 * A copy safe for every recursive walk: values nested deeper than `depth` become null and at most
 * `MAX_DOC_NODES` values are kept (recursion is bounded by `depth`).
 */
export function prunedCopy(value: Record<string, unknown>, depth = 4): Record<string, unknown> {
  let budget = MAX_DOC_NODES;
  const copy = (next: unknown, level: number): unknown => {
    if (--budget < 0) return null;
    if (typeof next !== 'object' || next === null) return next;
    if (level >= depth) return null;
    if (Array.isArray(next)) return next.slice(0, 100).map((child) => copy(child, level + 1));
    return Object.fromEntries(Object.entries(next).slice(0, 100).map(([key, child]) => [key, copy(child, level + 1)]));
  };
  return copy(value, 0) as Record<string, unknown>;
}
