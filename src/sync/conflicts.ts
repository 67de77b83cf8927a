/**
 * Conflicts the merge could not settle, recorded on the resource itself as
 * `samplan-sync-conflict` extensions (profiles/): so they are visible on the
 * plan, travel with it to the server and every other instance, and are
 * listed by /sync/status until a person resolves them. Resolving is an
 * ordinary update through the FHIR API: write the value wanted and leave the
 * extension out (README, "Sync").
 */
// No Node built-ins and only the canonical URLs: the care team's page reads conflicts with this same code.
import { EXTENSION } from '../validation/canonical.ts';
import type { Conflict } from './merge.ts';

export interface ConflictRecord {
  id: string;
  /** JSON Pointer into the resource. */
  element: string;
  /** JSON text of the value kept; undefined when the element was removed. */
  kept?: string;
  /** JSON text of the value not kept; undefined when the losing change removed it. */
  lost?: string;
  keptBy: string;
  lostBy: string;
  detected: string;
}

type WithExtensions = fhir4.Resource & { extension?: fhir4.Extension[] };

const json = (v: unknown): string | undefined => (v === undefined ? undefined : JSON.stringify(v));

export function conflictExtension(c: ConflictRecord): fhir4.Extension {
  const sub = (url: string, value: string | undefined, type: 'valueString' | 'valueDateTime' = 'valueString'): fhir4.Extension[] =>
    value === undefined ? [] : [{ url, [type]: value }];
  return {
    url: EXTENSION.syncConflict,
    extension: [
      ...sub('id', c.id),
      ...sub('element', c.element),
      ...sub('kept', c.kept),
      ...sub('lost', c.lost),
      ...sub('keptBy', c.keptBy),
      ...sub('lostBy', c.lostBy),
      ...sub('detected', c.detected, 'valueDateTime'),
    ],
  };
}

/** The records for what a merge found, ready to add to the merged resource; `lostBy[i]` lost `conflicts[i]` (authors.ts). */
export function recordsFor(conflicts: Conflict[], keptBy: string, lostBy: readonly string[], at: Date): ConflictRecord[] {
  return conflicts.map((c, i) => ({
    id: globalThis.crypto.randomUUID(),
    element: c.path,
    ...(c.kept === undefined ? {} : { kept: json(c.kept) }),
    ...(c.lost === undefined ? {} : { lost: json(c.lost) }),
    keptBy,
    lostBy: lostBy[i] ?? 'unknown',
    detected: at.toISOString(),
  }));
}

export function withConflicts<T extends WithExtensions>(resource: T, records: ConflictRecord[]): T {
  if (records.length === 0) return resource;
  return { ...resource, extension: [...(resource.extension ?? []), ...records.map(conflictExtension)] };
}

/** The open conflicts recorded on a resource. */
export function conflictsOn(resource: WithExtensions | null | undefined): ConflictRecord[] {
  return (resource?.extension ?? [])
    .filter((e) => e.url === EXTENSION.syncConflict)
    .map((e) => {
      const v = (url: string) => {
        const s = e.extension?.find((x) => x.url === url);
        return s?.valueString ?? s?.valueDateTime;
      };
      const kept = v('kept');
      const lost = v('lost');
      return { id: v('id') ?? '', element: v('element') ?? '', ...(kept ? { kept } : {}), ...(lost ? { lost } : {}), keptBy: v('keptBy') ?? '', lostBy: v('lostBy') ?? '', detected: v('detected') ?? '' };
    });
}
