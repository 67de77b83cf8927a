/**
 * Sync with a FHIR server (issue 4): the region's and the municipality's
 * samplan instances each keep their own database and sync their CarePlans,
 * CareTeams and Goals with one FHIR server (FHIR_SYNC_URL). Talks to the
 * store and to the server, never to Express (DESIGN.md).
 *
 *   outbox.ts    the pending mark every local version carries until pushed
 *   outbound.ts  push: PUT by id with If-Match, lost answers recognised
 *   inbound.ts   pull by _lastUpdated with overlap, echoes skipped, deletions found
 *   merge.ts     element-level three-way merge; the server's value wins a conflict
 *   conflicts.ts conflicts recorded on the resource until a person resolves them
 *   references.ts  references rewritten so they resolve on the server and back
 *   lease.ts     one process per instance pushes at a time
 *   engine.ts    the cycle, its schedule and back-off, /sync/status
 */
export { SyncEngine, type CycleResult, type OpenConflict, type SyncOptions, type SyncStatus } from './engine.ts';
export { conflictsOn, type ConflictRecord } from './conflicts.ts';
export { merge3, type Conflict, type MergeResult } from './merge.ts';
export { syncControl, type SyncControl } from './control.ts';
