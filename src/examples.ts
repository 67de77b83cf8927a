/**
 * The example plans (fhir-examples/): on a development start with an empty
 * database they are loaded, so that `npm ci && npm start` opens on four
 * plans a person can sign in to (DESIGN.md "An identity provider"). They go
 * in as any EHR's would: one FHIR transaction per example, through the same
 * interaction, checks and audit, as a system client ("samplan:examples").
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { servicePrincipal } from './auth/index.ts';
import { dispatch } from './fhir/router.ts';
import type { FhirServices } from './fhir/types.ts';
import { parseSearch } from './store/index.ts';
import { PROJECT_ROOT } from './store/embedded/binary.ts';

export const EXAMPLES_DIR = join(PROJECT_ROOT, 'fhir-examples');

export interface ExamplesLoaded {
  bundles: number;
  resources: number;
}

/** Loads every example unless the database already holds a plan; answers what it loaded (nothing: undefined). */
export async function loadExamplesIfEmpty(services: FhirServices, baseUrl: string): Promise<ExamplesLoaded | undefined> {
  const ctx = { principal: servicePrincipal('examples'), requestId: randomUUID(), baseUrl };
  const any = await services.store.search(ctx, 'CarePlan', parseSearch('CarePlan', [['_count', '1']], true), '_count=1');
  if (any.docs.length > 0) return undefined;
  let resources = 0;
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.bundle.json')).sort();
  for (const file of files) {
    const bundle = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as fhir4.Bundle;
    const res = await dispatch({ method: 'POST', path: [], query: [], headers: { 'content-type': 'application/fhir+json' }, body: bundle, ctx: { ...ctx, requestId: randomUUID() } }, services);
    if (res.status !== 200) throw new Error(`fhir-examples/${file} did not load (${res.status}): ${JSON.stringify(res.body).slice(0, 500)}`);
    resources += bundle.entry?.length ?? 0;
  }
  return { bundles: files.length, resources };
}
