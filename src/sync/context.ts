/**
 * What the two directions of sync share: the stores, the server, this
 * instance's identity, and the small conversions between a local version and
 * what the server holds.
 */
import type { CallContext } from '../auth/index.ts';
import { canonicalJson } from '../plans/index.ts';
import type { Store, VersionedStore, VersionDoc } from '../store/index.ts';
import { toServerForm, type ReferenceResolver } from './references.ts';
import type { RemoteResource, RemoteServer } from './remote.ts';
import type { SyncState } from './state.ts';

export interface SyncContext {
  /** Raw versions: the outbox and the history sync reads. */
  versions: VersionedStore;
  /** The guarded store: every change sync applies goes through it, as the sync service principal, and is audited. */
  store: Store;
  ctx: CallContext;
  remote: RemoteServer;
  state: SyncState;
  /** This instance's id, in every `meta.source` it pushes. */
  instance: string;
  /** This instance's FHIR base URL (references to local-only records go out absolute, see references.ts). */
  localBase: string;
  resolver: ReferenceResolver;
  now(): Date;
}

/** The tag that carries who wrote a pushed version, so the other side can name both authors of a conflict. */
export const AUTHOR_TAG = 'urn:samplan:sync:author';

/** `meta.source` of a pushed version: which instance, which of its versions. https://hl7.org/fhir/R4/resource.html#Meta */
export const sourceOf = (s: SyncContext, type: string, id: string, n: number): string => `urn:samplan:${s.instance}/${type}/${id}/_history/${n}`;

/** The local version a server resource's `meta.source` names, when this instance pushed it. */
export function ourVersion(s: SyncContext, r: RemoteResource): number | undefined {
  const prefix = `urn:samplan:${s.instance}/${r.resourceType}/${r.id}/_history/`;
  const source = r.meta.source;
  if (!source?.startsWith(prefix)) return undefined;
  const n = Number(source.slice(prefix.length));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A resource without `meta`: what two versions are compared and merged on. */
export function content<T extends fhir4.Resource>(r: T): Omit<T, 'meta'> {
  const { meta: _meta, ...rest } = r;
  return rest;
}

/** Whether two versions hold the same content (meta aside, key order aside). */
export function sameContent(a: fhir4.Resource, b: fhir4.Resource): boolean {
  // A resource is JSON; canonicalJson's parameter type just does not know fhir4's interfaces.
  const text = (r: fhir4.Resource): string => canonicalJson(content(r) as unknown as Parameters<typeof canonicalJson>[0]);
  return text(a) === text(b);
}

/** Who wrote a local version, as a conflict record names it. */
export const localAuthor = (s: SyncContext, v: VersionDoc): string => `${v.author ?? 'unknown'} @ ${s.instance}`;

/** Who wrote a server version: the author tag a samplan instance put there, else its source. */
export function remoteAuthor(r: RemoteResource): string {
  const tag = r.meta.tag?.find((t) => t.system === AUTHOR_TAG);
  return tag?.display ?? tag?.code ?? r.meta.source ?? 'unknown (written directly on the server)';
}

/** A local version in the form the server holds it (references rewritten, meta set), ready to PUT. */
export async function serverForm(s: SyncContext, v: VersionDoc): Promise<fhir4.Resource & { id: string }> {
  const body = await toServerForm(v.resource as fhir4.Resource, s.localBase, s.resolver);
  const { versionId: _v, lastUpdated: _l, ...meta } = body.meta ?? {};
  const tags = (meta.tag ?? []).filter((t) => t.system !== AUTHOR_TAG);
  return {
    ...body,
    id: v.id,
    meta: { ...meta, source: sourceOf(s, v.type, v.id, v.versionId), tag: [...tags, { system: AUTHOR_TAG, code: v.author ?? 'unknown', display: localAuthor(s, v) }] },
  };
}
