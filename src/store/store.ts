/**
 * The guarded store: the only way the rest of samplan reads or writes
 * resources. Every method takes the caller's CallContext, asks the
 * AccessPolicy before touching data, narrows every query to what the caller
 * may see (in the query, never by filtering after paging), and leaves an
 * AuditTrail record of the outcome — including refusals.
 */
import type { CallContext } from '../auth/principal.ts';
import { FhirError, fail } from '../errors.ts';
import type { AccessAction, AccessPolicy, AccessRecord, AuditTrail } from './access.ts';
import type { ResourceDoc, StoredVersion, VersionDoc } from './models.ts';
import { byIds, history, search, type HistoryQuery, type HistoryResult } from './reads.ts';
import type { Filter, ParsedSearch } from './search/query.ts';
import { matches } from './search/matches.ts';
import { writeAll } from './transaction.ts';
import { VersionedStore, type WriteRequest } from './versioned.ts';

export interface SearchOutcome {
  docs: ResourceDoc[];
  total: number | undefined;
  included: ResourceDoc[];
}

export interface GuardedWrite extends WriteRequest {
  /** The current version the change is based on (null: none), as read through this store. */
  current: StoredVersion | null;
}

const ref = (d: { type: string; id: string }): string => `${d.type}/${d.id}`;

/** The versioned store's request for a guarded write: the checked fields, and who writes. */
function request(ctx: CallContext, w: GuardedWrite): WriteRequest {
  const p = ctx.principal;
  return {
    type: w.type,
    id: w.id,
    resource: w.resource,
    expect: w.expect,
    author: p.fhirUser ?? p.sub,
    writtenBy: p.kind,
    ...(w.fresh ? { fresh: true } : {}),
    ...(w.remote ? { remote: w.remote } : {}),
    ...(w.rebasedOn ? { rebasedOn: w.rebasedOn } : {}),
  };
}

type Described = Pick<AccessRecord, 'entities' | 'patients' | 'entityPatients'>;
type Touched = { sp?: Record<string, unknown>; type: string; id: string };

function patientsOfDoc(d: Touched): string[] {
  const out = d.type === 'Patient' ? [ref(d)] : [];
  const p = d.sp?.patient;
  if (Array.isArray(p)) for (const v of p) out.push(String(v));
  return out;
}

/**
 * What an access touched, for its audit record: the resources, the patients
 * they are about, and which patients each one is about (so the audit trail can
 * show a patient only their own part). `ended`: the versions the new ones
 * replace (a deletion's tombstone has no search values; its patients are the
 * ones of the version it ends).
 */
function describe(docs: Touched[], ended: Touched[] = []): Described {
  const entityPatients: Record<string, string[]> = {};
  for (const d of [...docs, ...ended]) {
    const k = ref(d);
    entityPatients[k] = [...new Set([...(entityPatients[k] ?? []), ...patientsOfDoc(d)])];
  }
  return { entities: [...new Set(docs.map(ref))], patients: [...new Set(Object.values(entityPatients).flat())], entityPatients };
}

/**
 * Is a version inside the caller's narrowing? Narrowings are queries on the
 * projection, whose `_id` is the resource id; a version document's `_id` is
 * "id/_history/n", so it is judged as its resource's projection would be.
 */
function inside(doc: VersionDoc, narrowing: Filter): boolean {
  return Object.keys(narrowing).length === 0 || matches({ ...doc, _id: doc.id }, narrowing);
}

/**
 * Older versions are judged by the same rule as the current one (issue 9): a
 * version from before a plan was (wrongly) moved to this patient is not
 * theirs to see. A deletion carries no data and stands with its resource.
 */
function versionVisible(doc: VersionDoc, narrowing: Filter): boolean {
  return doc.deleted || inside(doc, narrowing);
}

export class Store {
  constructor(
    readonly versions: VersionedStore,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditTrail,
  ) {}

  /** Runs `body`, then records the outcome; refusals and failures are recorded too. */
  private async audited<T>(ctx: CallContext, base: Omit<AccessRecord, 'outcome' | 'status' | 'entities' | 'patients'>, body: () => Promise<T>, describeResult: (r: T) => Described, status = 200): Promise<T> {
    try {
      const result = await body();
      await this.audit.record(ctx, { ...base, ...describeResult(result), outcome: 'success', status });
      return result;
    } catch (err) {
      const e = err instanceof FhirError ? err : undefined;
      const refused = e && ['unauthenticated', 'forbidden', 'not-found'].includes(e.kind);
      await this.audit.record(ctx, {
        ...base,
        entities: base.id ? [`${base.type}/${base.id}`] : [],
        patients: [],
        outcome: refused ? 'refused' : 'failed',
        status: e?.status ?? 500,
        detail: e?.message ?? 'internal error',
      });
      throw err;
    }
  }

  /**
   * The current version, deleted or not, if the caller may see it; null if
   * there is none. Another's record reads as absent, never as forbidden: no
   * existence leak. Visibility is judged on the projection with the same
   * narrowing query a search uses.
   */
  private async visibleCurrent(ctx: CallContext, type: string, id: string, narrowing?: Filter): Promise<VersionDoc | null> {
    return (await this.currentAndVisibility(ctx, type, id, narrowing)).visible;
  }

  /** `narrowing`: the caller's, when already at hand (it costs the policy's look-ups). */
  private async currentAndVisibility(ctx: CallContext, type: string, id: string, narrowing?: Filter): Promise<{ exists: boolean; visible: VersionDoc | null }> {
    const doc = await this.versions.current(type, id);
    if (!doc) return { exists: false, visible: null };
    return { exists: true, visible: inside(doc, narrowing ?? (await this.policy.narrowing(ctx, type))) ? doc : null };
  }

  async read(ctx: CallContext, type: string, id: string): Promise<VersionDoc> {
    return this.audited(ctx, { action: 'read', type, id }, async () => {
      this.policy.require(ctx, type, 'r');
      const doc = await this.visibleCurrent(ctx, type, id);
      if (!doc) fail('not-found', `${type}/${id} is not known`);
      if (doc.deleted) fail('gone', `${type}/${id} was deleted (version ${doc.versionId})`);
      return doc;
    }, (d) => describe([d]));
  }

  /**
   * One version as a Subscription's notification to its owner (`ctx`) would
   * disclose it (issue 14): judged now, with the owner's scopes and the same
   * narrowing a read uses, so an owner who lost access hears nothing. A
   * deletion is judged by the version it ends (a tombstone holds no data).
   * `send` delivers it; the attempt is audited as a disclosure to the owner
   * with its outcome (sent, refused as not-found, or failed with send's error).
   */
  async notification(ctx: CallContext, subscription: string, type: string, id: string, versionId: number, send: (doc: VersionDoc) => Promise<void>): Promise<VersionDoc> {
    let ended: VersionDoc | null = null;
    return this.audited(ctx, { action: 'notify', operation: 'subscription-notification', type, id, versionId }, async () => {
      this.policy.require(ctx, type, 'r');
      const doc = await this.versions.version(type, id, versionId);
      ended = doc?.deleted ? await this.versions.version(type, id, versionId - 1) : null;
      const judged = doc?.deleted ? ended : doc;
      if (!doc || !judged || !inside(judged, await this.policy.narrowing(ctx, type))) fail('not-found', `${type}/${id} version ${versionId} is not for the owner of Subscription/${subscription} to read`);
      await send(doc);
      return doc;
    }, (d) => describe([d, { type: 'Subscription', id: subscription }], ended ? [ended] : []));
  }

  /**
   * Whether the caller may read versions of `type` now, as a test on a
   * version: for the Subscriptions' fan-out, which queues only changes the
   * owner may read (notification() judges again, and records, when one is
   * sent). Not audited: it discloses nothing, like lookup().
   */
  async readable(ctx: CallContext, type: string): Promise<(doc: VersionDoc) => boolean> {
    try {
      this.policy.require(ctx, type, 'r');
    } catch {
      return () => false;
    }
    const narrowing = await this.policy.narrowing(ctx, type);
    return (doc) => inside(doc, narrowing);
  }

  /**
   * The current resource as the caller may see it, for a rule that judges the
   * caller's write (plans/lookup.ts): access-checked like a read (scope, then
   * narrowing; absent, deleted and not-theirs alike give null), but not
   * audited as a read of its own — it is part of the write, which is.
   */
  async lookup(ctx: CallContext, type: string, id: string): Promise<VersionDoc | null> {
    this.policy.require(ctx, type, 'r');
    const doc = await this.visibleCurrent(ctx, type, id);
    return doc && !doc.deleted ? doc : null;
  }

  async vread(ctx: CallContext, type: string, id: string, versionId: number): Promise<VersionDoc> {
    return this.audited(ctx, { action: 'vread', type, id, versionId }, async () => {
      this.policy.require(ctx, type, 'r');
      const narrowing = await this.policy.narrowing(ctx, type);
      if (!(await this.visibleCurrent(ctx, type, id, narrowing))) fail('not-found', `${type}/${id} is not known`);
      const doc = await this.versions.version(type, id, versionId);
      if (!doc || !versionVisible(doc, narrowing)) fail('not-found', `${type}/${id} has no version ${versionId}`);
      if (doc.deleted) fail('gone', `${type}/${id} version ${versionId} is a deletion`);
      return doc;
    }, (d) => describe([d]));
  }

  /**
   * The current version a write will be based on; null if there is none. A
   * resource that exists but is not the caller's reads as 404 here too. When
   * the caller chose the id (update-as-create), a person is answered 404 for
   * an id they cannot see whether it exists or not: creating under an id of
   * one's choosing is for system clients, and people create with POST. That
   * way an update cannot probe for others' records (issue 9).
   */
  async currentForWrite(ctx: CallContext, action: AccessAction, type: string, id: string, opts: { clientId?: boolean } = {}): Promise<VersionDoc | null> {
    const { exists, visible } = await this.currentAndVisibility(ctx, type, id);
    const probe = opts.clientId === true && ctx.principal.kind !== 'system' && !visible;
    if ((exists && !visible) || probe) {
      // Refused here, before the write itself runs: recorded like every other refusal.
      const detail = opts.clientId ? `${type}/${id} is not known (to create a record, POST it: the server assigns the id)` : `${type}/${id} is not known`;
      await this.audit.record(ctx, { action, type, id, entities: [`${type}/${id}`], patients: [], outcome: 'refused', status: 404, detail });
      fail('not-found', detail);
    }
    return visible;
  }

  /**
   * The scope check of a write on its own, run before the write's body is read
   * or validated, so a token that does not allow the write hears 403 and never
   * 400/422 about the body (issue 5). It only answers first: write() and
   * writeAll() still check. A PUT with an id creates or updates depending on
   * the current version, looked up only when the token allows just one of the
   * two; a record the caller may not see counts as absent (no existence oracle),
   * and a conditional update is left to the write.
   */
  async requireScope(ctx: CallContext, action: 'create' | 'update' | 'patch' | 'delete', type: string, id?: string): Promise<void> {
    type Letter = Parameters<AccessPolicy['require']>[2];
    const allows = (i: Letter): boolean => {
      try {
        this.policy.require(ctx, type, i);
        return true;
      } catch {
        return false;
      }
    };
    let needed: Letter | undefined = action === 'create' ? 'c' : action === 'delete' ? 'd' : 'u';
    if (action === 'update' && allows('c') !== allows('u')) {
      if (id === undefined) {
        needed = undefined; // a conditional update: which it is depends on the search, left to the write
      } else {
        // A record the caller may not see is treated like one that is not there: the same answer either way.
        const { visible } = await this.currentAndVisibility(ctx, type, id);
        needed = visible && !visible.deleted ? 'u' : 'c';
      }
    }
    try {
      if (needed) this.policy.require(ctx, type, needed);
    } catch (err) {
      // Recorded like the store's other refusals.
      const e = err instanceof FhirError ? err : undefined;
      await this.audit.record(ctx, { action, type, ...(id ? { id } : {}), entities: id ? [`${type}/${id}`] : [], patients: [], outcome: 'refused', status: e?.status ?? 403, detail: e?.message ?? 'refused' });
      throw err;
    }
  }

  async search(ctx: CallContext, type: string, q: ParsedSearch, query: string): Promise<SearchOutcome> {
    return this.audited(ctx, { action: 'search', type, query }, async () => {
      this.policy.require(ctx, type, 's');
      const narrowing = await this.policy.narrowing(ctx, type);
      const { docs, total } = await search(this.versions, type, q, narrowing);
      const included = await this.includes(ctx, docs, q);
      return { docs, total, included };
    }, (r) => describe([...r.docs, ...r.included]));
  }

  /** `_include`d resources, each type narrowed to what the caller may see. */
  private async includes(ctx: CallContext, docs: ResourceDoc[], q: ParsedSearch): Promise<ResourceDoc[]> {
    const wanted = new Map<string, Set<string>>();
    for (const { param } of q.includes) {
      for (const d of docs) {
        const values = d.sp[param];
        for (const v of Array.isArray(values) ? values : []) {
          const [t, i] = v.split('/');
          if (t && i && !v.includes(':')) (wanted.get(t) ?? wanted.set(t, new Set()).get(t))?.add(i);
        }
      }
    }
    const out: ResourceDoc[] = [];
    for (const [t, ids] of wanted) {
      try {
        this.policy.require(ctx, t, 'r');
      } catch {
        continue; // an include the caller may not read is left out, not an error
      }
      out.push(...(await byIds(this.versions, t, [...ids], await this.policy.narrowing(ctx, t))));
    }
    return out;
  }

  async history(ctx: CallContext, type: string, id: string | undefined, q: HistoryQuery, query: string): Promise<HistoryResult> {
    return this.audited(ctx, { action: 'history', type, ...(id ? { id } : {}), query }, async () => {
      this.policy.require(ctx, type, id ? 'r' : 's');
      const narrowing = await this.policy.narrowing(ctx, type);
      if (id !== undefined && !(await this.visibleCurrent(ctx, type, id, narrowing))) fail('not-found', `${type}/${id} is not known`);
      const found = await history(this.versions, type, id, q, narrowing);
      return { ...found, versions: found.versions.filter((v) => versionVisible(v, narrowing)) };
    }, (r) => describe(r.versions));
  }

  /**
   * The policy's word on writes before the rules that look past them run
   * (plans/index.ts checkRelated): a caller who may not make a write hears 403
   * before any rule, so no rule's answer (a duplicate personnummer, a plan
   * that names a goal) tells them about records that are not theirs. Refusals
   * are recorded; write() and writeAll() still check.
   */
  async authorise(ctx: CallContext, writes: GuardedWrite[]): Promise<void> {
    for (const w of writes) {
      try {
        await this.checkWrite(ctx, w);
      } catch (err) {
        const e = err instanceof FhirError ? err : undefined;
        const action: AccessAction = w.resource === null ? 'delete' : w.current && !w.current.deleted ? 'update' : 'create';
        await this.audit.record(ctx, { action, type: w.type, id: w.id, entities: [`${w.type}/${w.id}`], patients: [], outcome: 'refused', status: e?.status ?? 403, detail: e?.message ?? 'refused' });
        throw err;
      }
    }
  }

  private async checkWrite(ctx: CallContext, w: GuardedWrite): Promise<void> {
    const current = w.current && !w.current.deleted ? w.current.resource : null;
    this.policy.require(ctx, w.type, w.resource === null ? 'd' : current ? 'u' : 'c');
    await this.policy.checkWrite(ctx, w.type, current, w.resource);
  }

  async write(ctx: CallContext, action: AccessAction, w: GuardedWrite): Promise<VersionDoc> {
    return this.audited(ctx, { action, type: w.type, id: w.id }, async () => {
      await this.checkWrite(ctx, w);
      return this.versions.write(request(ctx, w));
    }, (d) => describe([d], w.current ? [w.current] : []), action === 'create' ? 201 : 200);
  }

  /**
   * A named operation on one resource (e.g. CarePlan $agree): the policy
   * decides on the operation as a whole, then `make` turns the current version
   * into the writes, which are stored all or nothing.
   */
  async operation(ctx: CallContext, name: string, type: string, id: string, make: (current: VersionDoc) => Promise<GuardedWrite[]> | GuardedWrite[]): Promise<VersionDoc[]> {
    return this.audited(ctx, { action: 'operation', operation: name, type, id }, async () => {
      const current = await this.visibleCurrent(ctx, type, id);
      if (!current) fail('not-found', `${type}/${id} is not known`);
      if (current.deleted) fail('gone', `${type}/${id} was deleted`);
      await this.policy.checkOperation(ctx, name, current.resource as fhir4.FhirResource);
      const writes = await make(current);
      return writeAll(this.versions, writes.map((w) => request(ctx, w)));
    }, (docs) => describe(docs));
  }

  /**
   * Figures computed over everyone's records (`run`, given the versioned
   * store: it reads by the indexes, never through a caller's narrowing), for
   * a caller the policy lets see aggregates. Audited like any access: the
   * entity is the operation's resource (e.g. Measure/active-plans) and no
   * patient, since what leaves is counts (src/measures suppresses small ones).
   */
  async aggregate<T>(ctx: CallContext, name: string, type: string, id: string, query: string, run: (versions: VersionedStore) => Promise<T>): Promise<T> {
    return this.audited(ctx, { action: 'operation', operation: name, type, id, query }, async () => {
      await this.policy.checkAggregate(ctx, name, type);
      return run(this.versions);
    }, () => ({ entities: [`${type}/${id}`], patients: [], entityPatients: {} }));
  }

  /** All-or-nothing; every entry is checked before anything is written. */
  async writeAll(ctx: CallContext, writes: GuardedWrite[]): Promise<VersionDoc[]> {
    return this.audited(ctx, { action: 'transaction', type: 'Bundle' }, async () => {
      for (const w of writes) await this.checkWrite(ctx, w);
      return writeAll(this.versions, writes.map((w) => request(ctx, w)));
    }, (docs) => describe(docs));
  }

  /**
   * The caller's writes plus the follow-ups samplan makes as `service` because
   * of them (a changed goal marks the agreement of the plans that reference it
   * stale), all or nothing. Each side is checked and audited as its own
   * principal: follow-ups need none of the caller's rights, and are never
   * recorded as the caller's. Returns the caller's versions, then the follow-ups'.
   */
  async writeWithFollowUps(ctx: CallContext, base: Omit<AccessRecord, 'outcome' | 'status' | 'entities' | 'patients'>, writes: GuardedWrite[], service: CallContext, followUps: GuardedWrite[]): Promise<VersionDoc[]> {
    const described = (docs: VersionDoc[], of: GuardedWrite[]): Described => describe(docs, of.flatMap((w) => (w.current ? [w.current] : [])));
    return this.audited(ctx, base, async () => {
      for (const w of writes) await this.checkWrite(ctx, w);
      return this.audited(service, { action: 'update', type: followUps[0]?.type ?? base.type }, async () => {
        for (const w of followUps) await this.checkWrite(service, w);
        try {
          return await writeAll(this.versions, [...writes.map((w) => request(ctx, w)), ...followUps.map((w) => request(service, w))]);
        } catch (err) {
          // A race on a follow-up must not name it: the caller may not know that record exists.
          const onFollowUp = err instanceof FhirError && followUps.some((w) => err.message.includes(`${w.type}/${w.id}`));
          if (onFollowUp) throw new FhirError('precondition-failed', { code: 'transient', diagnostics: 'A plan that uses this goal was being changed at the same moment; nothing was stored. Try again.' });
          throw err;
        }
      }, (docs) => described(docs.slice(writes.length), followUps));
    }, (docs) => described(docs.slice(0, writes.length), writes), base.action === 'create' ? 201 : 200);
  }
}
