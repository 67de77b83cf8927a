/**
 * What a crash at each point of a write leaves behind, on the real embedded
 * database: never a lost version, never a partly visible transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recover, writeAll } from '../../src/store/transaction.ts';
import { newVersion, type VersionedStore } from '../../src/store/versioned.ts';
import { parseSearch, type Database } from '../../src/store/index.ts';
import { search } from '../../src/store/reads.ts';
import { FhirError } from '../../src/errors.ts';
import { dropTestDatabase, openTestDatabase } from '../support/db.ts';

let db: Database;
let store: VersionedStore;
let now = new Date('2025-01-01T10:00:00Z');
beforeAll(async () => {
  db = await openTestDatabase(() => now);
  store = db.versions;
});
afterAll(() => dropTestDatabase(db));

const goal = (id: string, text: string): fhir4.Goal => ({ resourceType: 'Goal', id, lifecycleStatus: 'active', description: { text }, subject: { reference: 'Patient/crash' } });
const found = async (text: string): Promise<string[]> =>
  (await search(store, 'Goal', parseSearch('Goal', [['patient', 'crash']], false), {})).docs.filter((d) => (d.resource as fhir4.Goal).description.text === text).map((d) => d.id);

/** Inserts a transaction's versions the way writeAll does, then "crashes" (no decision). */
async function crashBeforeCommit(txn: string, writes: { id: string; text: string; expect: number }[]): Promise<void> {
  for (const w of writes) await db.models.versions('Goal').collection.insertOne(newVersion({ type: 'Goal', id: w.id, resource: goal(w.id, w.text), expect: w.expect }, now, txn) as never);
}

describe('a transaction that crashed before its decision', () => {
  it('is invisible, blocks writers with 409 while fresh, and is aborted once stale', async () => {
    await store.write({ type: 'Goal', id: 'g1', resource: goal('g1', 'before'), expect: 0 });
    await crashBeforeCommit('txn-crashed', [
      { id: 'g1', text: 'in flight', expect: 1 },
      { id: 'g2', text: 'in flight', expect: 0 },
    ]);
    expect((await store.current('Goal', 'g1'))?.versionId).toBe(1);
    expect(await store.current('Goal', 'g2')).toBeNull();
    expect(await found('in flight')).toEqual([]);

    const blocked = await store.write({ type: 'Goal', id: 'g1', resource: goal('g1', 'other'), expect: 1 }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(FhirError);
    expect((blocked as FhirError).status).toBe(409);

    now = new Date(now.getTime() + 60_000); // the transaction is now stale
    const written = await store.write({ type: 'Goal', id: 'g1', resource: goal('g1', 'other'), expect: 1 }).catch((e: unknown) => e);
    // The first try finds the stale transaction, aborts it and reports a conflict; the retry succeeds.
    if (written instanceof FhirError) await store.write({ type: 'Goal', id: 'g1', resource: goal('g1', 'other'), expect: 1 });
    expect((await store.current('Goal', 'g1'))?.versionId).toBe(2);
    expect(((await store.current('Goal', 'g1'))?.resource as fhir4.Goal).description.text).toBe('other');
    expect(await store.current('Goal', 'g2')).toBeNull();
    expect((await db.models.transactions.findById('txn-crashed').lean())?.state).toBe('aborted');
  });
});

describe('a transaction that crashed after its decision', () => {
  it('is wholly visible to reads at once, and recovery brings search and history up to date', async () => {
    await crashBeforeCommit('txn-committed', [
      { id: 'g10', text: 'committed', expect: 0 },
      { id: 'g11', text: 'committed', expect: 0 },
    ]);
    await db.models.transactions.collection.insertOne({ _id: 'txn-committed', state: 'committed', at: now } as never);
    // Reads see both entries straight away…
    expect((await store.current('Goal', 'g10'))?.versionId).toBe(1);
    expect((await store.current('Goal', 'g11'))?.versionId).toBe(1);
    // …search catches up when the marks are cleared and the projection written, which recovery does.
    const r = await recover(store);
    expect(r.transactions).toBeGreaterThanOrEqual(1);
    expect((await found('committed')).sort()).toEqual(['g10', 'g11']);
    expect(await db.models.versions('Goal').countDocuments({ txn: 'txn-committed' })).toBe(0);
  });
});

describe('a single write that crashed between its version and its projection', () => {
  it('is read back at once and found by search after recovery', async () => {
    await db.models.versions('Goal').collection.insertOne(newVersion({ type: 'Goal', id: 'g20', resource: goal('g20', 'half written'), expect: 0 }, now) as never);
    expect((await store.current('Goal', 'g20'))?.versionId).toBe(1);
    expect(await found('half written')).toEqual([]);
    await recover(store);
    expect(await found('half written')).toEqual(['g20']);
  });
});

describe('all-or-nothing through writeAll', () => {
  it('aborts and leaves no trace when one entry conflicts', async () => {
    await store.write({ type: 'Goal', id: 'g30', resource: goal('g30', 'v1'), expect: 0 });
    const err = await writeAll(store, [
      { type: 'Goal', id: 'g31', resource: goal('g31', 'new'), expect: 0 },
      { type: 'Goal', id: 'g30', resource: goal('g30', 'v2'), expect: 5 },
    ]).catch((e: unknown) => e);
    expect((err as FhirError).status).toBe(412);
    expect(await store.current('Goal', 'g31')).toBeNull();
    expect(await db.models.versions('Goal').countDocuments({ id: 'g31' })).toBe(0);
    expect((await store.current('Goal', 'g30'))?.versionId).toBe(1);
  });
});

describe('racing writers on the store itself', () => {
  it('of 20 writers based on the same version exactly one wins', async () => {
    await store.write({ type: 'Goal', id: 'g40', resource: goal('g40', 'base'), expect: 0 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.write({ type: 'Goal', id: 'g40', resource: goal('g40', `w${i}`), expect: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && (r.reason as FhirError).status === 412)).toHaveLength(19);
    expect(await db.models.versions('Goal').countDocuments({ id: 'g40' })).toBe(2);
    const shown = await db.models.resources('Goal').findById('g40').lean();
    expect(shown?.versionId).toBe(2);
  });
});
