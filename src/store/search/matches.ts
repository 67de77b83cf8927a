/**
 * Evaluates a query of the shapes this store builds ($and, $or, $in, $nin,
 * $exists, $gt/$gte/$lt/$lte, equality; dotted paths that reach into arrays)
 * against one document in memory. Used to decide whether a single document a
 * caller asked for by id is inside their narrowing without a collection scan.
 * Anything it does not know is an error, never a silent match.
 */
import type { Filter } from './query.ts';

function valuesAt(doc: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(doc) ? [doc, ...doc] : [doc];
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAt(d, path));
  if (doc === null || typeof doc !== 'object') return [];
  const [head, ...rest] = path as [string, ...string[]];
  const next = (doc as Record<string, unknown>)[head];
  return next === undefined ? [] : valuesAt(next, rest);
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function compare(a: unknown, b: unknown): number | undefined {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return undefined;
}

function condition(values: unknown[], cond: unknown): boolean {
  if (cond === null || typeof cond !== 'object' || cond instanceof Date || Array.isArray(cond)) {
    return cond === null ? values.length === 0 || values.some((v) => v === null) : values.some((v) => same(v, cond));
  }
  return Object.entries(cond as Record<string, unknown>).every(([op, arg]) => {
    switch (op) {
      case '$in':
        return values.some((v) => (arg as unknown[]).some((a) => same(v, a)));
      case '$nin':
        return !values.some((v) => (arg as unknown[]).some((a) => same(v, a)));
      case '$ne':
        return !values.some((v) => same(v, arg));
      case '$exists':
        return (values.length > 0) === Boolean(arg);
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        return values.some((v) => {
          const c = compare(v, arg);
          if (c === undefined) return false;
          return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
        });
      default:
        throw new Error(`matches(): unsupported operator ${op}`);
    }
  });
}

export function matches(doc: unknown, filter: Filter): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as Filter[]).every((f) => matches(doc, f));
    if (key === '$or') return (cond as Filter[]).some((f) => matches(doc, f));
    if (key.startsWith('$')) throw new Error(`matches(): unsupported operator ${key}`);
    return condition(valuesAt(doc, key.split('.')), cond);
  });
}
