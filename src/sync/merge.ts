/**
 * Three-way merge of one resource at element level (issue 4 "Conflicts").
 *
 * `base` is the version both sides last shared, `local` this instance's
 * current version, `remote` the server's. The merge walks the three together:
 * the same as diffing base→local and base→remote (JSON Patch) and applying
 * both where their paths do not overlap, except that list entries are matched
 * by key rather than by index (below), so an insertion on one side does not
 * turn the other side's edits into edits of the wrong entry. Every change only
 * one side made is kept: the region editing activity 1 while the municipality
 * edits activity 3 or adds a goal keeps both. Where both sides changed the
 * same element differently:
 *
 *   THE SERVER'S VALUE WINS — it reached the shared server first, so every
 *   other party may already be showing it — and the local value is returned
 *   as a Conflict, to be recorded on the resource with both authors until a
 *   person resolves it (conflicts.ts).
 *
 * Lists: entries with an `id`, and extensions (by url, or url + conflict id),
 * are matched by that key, so an insertion or removal does not shift what the
 * other side's changes apply to. Other lists are matched by position while
 * both sides only edited entries in place or appended (appended entries are
 * all kept, the server's first); a list in which either side removed or moved
 * entries, when both changed it, is one conflicting element.
 */
import { canonicalJson } from '../canonical-json.ts';

export interface Conflict {
  /** JSON Pointer of the element in the merged resource (of an entry the server removed: in the local version). */
  path: string;
  /** The server's value, kept (undefined: the element was removed). */
  kept: unknown;
  /** This instance's value, not kept (undefined: it removed the element). */
  lost: unknown;
}

export interface MergeResult<T> {
  merged: T;
  conflicts: Conflict[];
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// Equal content whatever the key order; no Node built-ins, so the care team's page merges with the same code.
const same = (a: Json, b: Json): boolean => canonicalJson(a) === canonicalJson(b);
const pointer = (path: string, key: string | number): string => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** A stable key for a list entry, or undefined when it has none. */
function keyOf(v: Json): string | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.id === 'string') return `id:${v.id}`;
  if (typeof v.url === 'string') {
    const sub = Array.isArray(v.extension) ? v.extension.find((e) => isObj(e) && e.url === 'id') : undefined;
    return `url:${v.url}|${isObj(sub) ? String(sub.valueString ?? '') : ''}`;
  }
  return undefined;
}

/** Keys of every entry, if all entries have one and no key repeats. */
function keysOf(list: Json[]): string[] | undefined {
  const keys = list.map(keyOf);
  if (keys.some((k) => k === undefined)) return undefined;
  return new Set(keys).size === keys.length ? (keys as string[]) : undefined;
}

/** Whether `side` has a base entry at another position than the base has it. */
function shifted(base: Json[], side: Json[]): boolean {
  return side.some((v, i) => i < base.length && !same(v, base[i]) && base.some((b, j) => j !== i && same(b, v)));
}

class Merger {
  readonly conflicts: Conflict[] = [];

  node(base: Json, local: Json, remote: Json, path: string): Json {
    if (same(local, remote) || same(base, local)) return remote;
    if (same(base, remote)) return local;
    if (isObj(local) && isObj(remote) && (base === undefined || isObj(base))) return this.object(base ?? {}, local, remote, path);
    if (Array.isArray(local) && Array.isArray(remote) && (base === undefined || Array.isArray(base))) return this.list(base ?? [], local, remote, path);
    this.conflicts.push({ path, kept: remote, lost: local });
    return remote;
  }

  private object(base: Obj, local: Obj, remote: Obj, path: string): Obj {
    const out: Obj = {};
    for (const k of new Set([...Object.keys(remote), ...Object.keys(local)])) {
      const v = this.node(base[k], local[k], remote[k], pointer(path, k));
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  private list(base: Json[], local: Json[], remote: Json[], path: string): Json[] {
    const [bk, lk, rk] = [keysOf(base), keysOf(local), keysOf(remote)];
    if (bk && lk && rk) return this.keyed(base, bk, local, lk, remote, rk, path);
    const n = base.length;
    // By position only while both sides edited entries in place (and perhaps appended): an entry
    // found at another position than in the base means entries were removed or moved, and then
    // positions no longer say which entry a change was made to.
    if (local.length >= n && remote.length >= n && !shifted(base, local) && !shifted(base, remote)) {
      const head = base.map((b, i) => this.node(b, local[i], remote[i], pointer(path, i)));
      const theirs = remote.slice(n);
      // The same entry appended on both sides is kept once; each of ours is matched at most once.
      const unmatched = [...theirs];
      const ours = local.slice(n).filter((v) => {
        const i = unmatched.findIndex((t) => same(t, v));
        if (i < 0) return true;
        unmatched.splice(i, 1);
        return false;
      });
      return [...head, ...theirs, ...ours];
    }
    this.conflicts.push({ path, kept: remote, lost: local });
    return remote;
  }

  private keyed(base: Json[], bk: string[], local: Json[], lk: string[], remote: Json[], rk: string[], path: string): Json[] {
    const at = (list: Json[], keys: string[], k: string) => {
      const i = keys.indexOf(k);
      return i < 0 ? undefined : list[i];
    };
    // The server's order, then the entries the server does not have: added here, or removed
    // there (node() drops those unless they were also changed here, which is a conflict).
    const order = [...rk, ...lk.filter((k) => !rk.includes(k))];
    const out: Json[] = [];
    for (const k of order) {
      // An entry removed on the server is not in the result: a conflict over it points where it is here.
      const removedThere = !rk.includes(k) && bk.includes(k);
      const v = this.node(at(base, bk, k), at(local, lk, k), at(remote, rk, k), pointer(path, removedThere ? lk.indexOf(k) : out.length));
      if (v !== undefined) out.push(v);
    }
    return out;
  }
}

/** Merges `local` into `remote` with `base` as the shared ancestor. Inputs are not changed. */
export function merge3<T extends object>(base: T | undefined, local: T, remote: T): MergeResult<T> {
  const m = new Merger();
  const merged = m.node(base, local, remote, '') as T;
  return { merged, conflicts: m.conflicts };
}

