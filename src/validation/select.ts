/**
 * Which samplan profiles a resource is held to:
 *   1. the profile asked for (`$validate?profile=…`), else
 *   2. the samplan profiles in `meta.profile` (the core definition of the type itself is
 *      always checked and needs no profile; other unknown ones are reported as a warning
 *      and ignored), else
 *   3. for a CarePlan, the profile each plan-kind code in `category` implies
 *      (a SIP that is also a patientkontrakt is held to both), else
 *   4. the base samplan profile of the type (CarePlan, CareTeam, Goal), if any.
 * Each profile brings the samplan profiles it derives from.
 */
import type { Issue } from '../errors.ts';
import { CODE_SYSTEM, DEFAULT_PROFILE, PLAN_KIND_PROFILE } from './canonical.ts';
import { getRegistry, profileChain, type Profile } from './profiles.ts';

export interface Selection {
  profiles: Profile[];
  issues: Issue[];
}

interface Shape {
  resourceType: string;
  meta?: { profile?: string[] };
  category?: { coding?: { system?: string; code?: string }[] }[];
}

function withAncestors(urls: string[]): Profile[] {
  const out: Profile[] = [];
  for (const url of urls) for (const p of profileChain(url)) if (!out.includes(p)) out.push(p);
  return out;
}

/** The plan-kind codes in a CarePlan's category. */
export function planKinds(resource: { category?: Shape['category'] }): string[] {
  const kinds: string[] = [];
  for (const c of resource.category ?? []) {
    for (const coding of c.coding ?? []) {
      if (coding.system === CODE_SYSTEM.planKind && coding.code && !kinds.includes(coding.code)) kinds.push(coding.code);
    }
  }
  return kinds;
}

export function selectProfiles(resource: Shape, requested?: string): Selection {
  const { profiles } = getRegistry();
  const type = resource.resourceType;
  const issues: Issue[] = [];
  const fits = (url: string, expression: string, severity: 'error' | 'warning'): boolean => {
    const p = profiles.get(url);
    if (!p) {
      issues.push({ severity, code: 'not-supported', diagnostics: `Profile ${url} is not known to samplan`, expression: [expression] });
      return false;
    }
    if (p.type !== type) {
      issues.push({ severity: 'error', code: 'structure', diagnostics: `Profile ${url} constrains ${p.type}, not ${type}`, expression: [expression] });
      return false;
    }
    return true;
  };

  if (requested !== undefined) {
    return { profiles: fits(requested, type, 'error') ? withAncestors([requested]) : [], issues };
  }
  // Claiming the core definition of one's own type (as the examples do) is true of every valid resource: nothing to warn about.
  const core = `http://hl7.org/fhir/StructureDefinition/${type}`;
  const claimed = (resource.meta?.profile ?? []).filter((url, i) => url !== core && fits(url, `${type}.meta.profile[${i}]`, 'warning'));
  if (claimed.length > 0) return { profiles: withAncestors(claimed), issues };

  if (type === 'CarePlan') {
    const implied = planKinds(resource)
      .map((k) => PLAN_KIND_PROFILE[k])
      .filter((u): u is string => u !== undefined);
    if (implied.length > 0) return { profiles: withAncestors(implied), issues };
  }
  const fallback = DEFAULT_PROFILE[type];
  return { profiles: fallback ? withAncestors([fallback]) : [], issues };
}
