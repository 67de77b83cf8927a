export { openDatabase, type Database } from './connect.ts';
export { Store, type GuardedWrite, type SearchOutcome } from './store.ts';
export type { AccessPolicy, AuditTrail, AccessRecord, AccessAction } from './access.ts';
export type { ResourceDoc, VersionDoc, StoredVersion, FhirResource } from './models.ts';
export { VersionedStore, type WriteRequest } from './versioned.ts';
export { parseSearch, INCLUDES, DEFAULT_COUNT, MAX_COUNT, MAX_SEARCH_TERMS, type ParsedSearch, type Filter } from './search/query.ts';
export { searchParam, searchParamsOf, registerSearchParam, isServedType, RESOURCE_TYPES, type SearchParam, type ServedType } from './search/params.ts';
export type { HistoryQuery } from './reads.ts';
export { dateRange, normaliseReference } from './search/values.ts';
