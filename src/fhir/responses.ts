/** Building responses: single resources with their headers, and Bundles with paging links. */
import { outcome } from '../errors.ts';
import type { ResourceDoc, StoredVersion, VersionDoc } from '../store/index.ts';
import { EXTENSION } from '../validation/index.ts';
import { etag, type Prefer } from './headers.ts';
import type { FhirResponse } from './types.ts';

type Versioned = StoredVersion;

export const versionUrl = (base: string, d: Versioned): string => `${base}/${d.type}/${d.id}/_history/${d.versionId}`;

export function versionHeaders(base: string, d: Versioned, withLocation: boolean): Record<string, string> {
  const h: Record<string, string> = { ETag: etag(d.versionId), 'Last-Modified': d.lastUpdated.toUTCString() };
  if (withLocation) h.Location = versionUrl(base, d);
  return h;
}

/** A read or write answer, honouring `Prefer: return=` (https://hl7.org/fhir/R4/http.html#ops). */
export function resourceResponse(base: string, d: Versioned, status: number, pref?: Prefer, diagnostics?: string): FhirResponse {
  const headers = versionHeaders(base, d, status === 201 || (pref !== undefined && status === 200));
  if (pref?.return === 'minimal') return { status, headers };
  if (pref?.return === 'OperationOutcome') {
    return { status, headers, body: outcome([{ severity: 'information', code: 'informational', diagnostics: diagnostics ?? `${d.type}/${d.id} version ${d.versionId}` }]) };
  }
  return { status, headers, body: d.resource as fhir4.FhirResource };
}

function pageUrl(base: string, path: string, params: [string, string][], count: number, offset: number): string {
  const q = new URLSearchParams(params.filter(([k]) => k !== '_count' && k !== '_offset'));
  q.set('_count', String(count));
  if (offset > 0) q.set('_offset', String(offset));
  return `${base}/${path}?${q.toString()}`;
}

export interface PageInfo {
  path: string;
  params: [string, string][];
  count: number;
  offset: number;
  total: number | undefined;
  /** Entries on this page, to decide whether a next page exists when the total is not counted. */
  pageSize: number;
}

/** self / first / previous / next links: https://hl7.org/fhir/R4/http.html#paging */
export function pageLinks(base: string, p: PageInfo): fhir4.BundleLink[] {
  const links: fhir4.BundleLink[] = [{ relation: 'self', url: pageUrl(base, p.path, p.params, p.count, p.offset) }];
  links.push({ relation: 'first', url: pageUrl(base, p.path, p.params, p.count, 0) });
  if (p.offset > 0) links.push({ relation: 'previous', url: pageUrl(base, p.path, p.params, p.count, Math.max(0, p.offset - p.count)) });
  // An empty page has no next one (also `_summary=count`, whose pages carry no entries).
  const more = p.pageSize > 0 && (p.total !== undefined ? p.offset + p.pageSize < p.total : p.pageSize === p.count);
  if (more) links.push({ relation: 'next', url: pageUrl(base, p.path, p.params, p.count, p.offset + p.count) });
  return links;
}

export function searchsetBundle(base: string, page: PageInfo, matches: ResourceDoc[], included: ResourceDoc[], notes: fhir4.OperationOutcomeIssue[]): fhir4.Bundle {
  const entry: fhir4.BundleEntry[] = [
    ...matches.map((d) => ({ fullUrl: `${base}/${d.type}/${d.id}`, resource: d.resource as fhir4.FhirResource, search: { mode: 'match' as const } })),
    ...included.map((d) => ({ fullUrl: `${base}/${d.type}/${d.id}`, resource: d.resource as fhir4.FhirResource, search: { mode: 'include' as const } })),
  ];
  if (notes.length > 0) entry.push({ resource: outcome(notes), search: { mode: 'outcome' } });
  const bundle: fhir4.Bundle = { resourceType: 'Bundle', type: 'searchset', meta: { lastUpdated: new Date().toISOString() }, link: pageLinks(base, page), entry };
  if (page.total !== undefined) bundle.total = page.total;
  return bundle;
}

/**
 * Who wrote a version, on its entry's request (profiles/StructureDefinition-samplan-version-author.json):
 * R4's history Bundle has no element for it, and Provenance per write would double every write.
 * A person is their fhirUser reference; a system client, which has none, its token subject.
 */
function authorExtension(author: string | undefined): { extension?: fhir4.Extension[] } {
  if (!author) return {}; // versions written before samplan recorded authors
  const valueReference: fhir4.Reference = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(author) ? { reference: author } : { display: author };
  return { extension: [{ url: EXTENSION.versionAuthor, valueReference }] };
}

/** https://hl7.org/fhir/R4/http.html#history: newest first, deletions as entries without a resource. */
export function historyBundle(base: string, page: PageInfo, versions: Pick<VersionDoc, keyof Versioned | 'author'>[]): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    meta: { lastUpdated: new Date().toISOString() },
    ...(page.total !== undefined ? { total: page.total } : {}),
    link: pageLinks(base, page),
    entry: versions.map((d) => {
      const entry: fhir4.BundleEntry = {
        fullUrl: `${base}/${d.type}/${d.id}`,
        request: {
          ...authorExtension(d.author),
          method: d.deleted ? 'DELETE' : d.versionId === 1 ? 'POST' : 'PUT',
          url: d.versionId === 1 && !d.deleted ? d.type : `${d.type}/${d.id}`,
        },
        response: { status: d.deleted ? '204' : d.versionId === 1 ? '201' : '200', etag: etag(d.versionId), lastModified: d.lastUpdated.toISOString() },
      };
      if (!d.deleted && d.resource) entry.resource = d.resource;
      return entry;
    }),
  };
}
