/**
 * Every bundle in fhir-examples/ is a well-formed transaction whose entries
 * all validate with no issue at all, against the profiles they should.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROFILE, validateDetailed } from '../../src/validation/index.ts';

const DIR = new URL('../../fhir-examples/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.bundle.json'));

interface Entry {
  fullUrl: string;
  resource: { resourceType: string } & Record<string, unknown>;
  request: { method: string; url: string };
}
const load = (f: string): { resourceType: string; type: string; entry: Entry[] } => JSON.parse(readFileSync(new URL(f, DIR), 'utf8'));

/** Every Reference in a resource (objects with a `reference` string). */
function references(node: unknown, out: { reference: string; type?: string }[] = []): { reference: string; type?: string }[] {
  if (Array.isArray(node)) node.forEach((n) => references(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.reference === 'string') out.push({ reference: o.reference, ...(typeof o.type === 'string' ? { type: o.type } : {}) });
    Object.values(o).forEach((v) => references(v, out));
  }
  return out;
}

const expectedProfiles: Record<string, string[]> = {
  'patientkontrakt-skane.bundle.json': [PROFILE.carePlan, PROFILE.patientkontrakt],
  'sip-ungdom.bundle.json': [PROFILE.carePlan, PROFILE.sip],
  'individuell-plan-fact.bundle.json': [PROFILE.carePlan, PROFILE.individuellPlan],
  'utskrivning-oppfolging.bundle.json': [PROFILE.carePlan],
};

describe('fhir-examples', () => {
  it('has the four scenarios', () => {
    expect([...files].sort()).toEqual(Object.keys(expectedProfiles).sort());
  });

  describe.each(files)('%s', (file) => {
    const bundle = load(file);

    it('is a transaction of POSTs with unique urn:uuid fullUrls', () => {
      expect(bundle.resourceType).toBe('Bundle');
      expect(bundle.type).toBe('transaction');
      const urls = bundle.entry.map((e) => e.fullUrl);
      expect(new Set(urls).size).toBe(urls.length);
      for (const e of bundle.entry) {
        expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(e.request).toEqual({ method: 'POST', url: e.resource.resourceType });
      }
    });

    it('references only its own entries, with Reference.type matching the target', () => {
      const byUrl = new Map(bundle.entry.map((e) => [e.fullUrl, e.resource.resourceType]));
      for (const e of bundle.entry) {
        for (const ref of references(e.resource)) {
          expect(byUrl.has(ref.reference), `${e.resource.resourceType} → ${ref.reference}`).toBe(true);
          if (ref.type) expect(ref.type).toBe(byUrl.get(ref.reference));
        }
      }
    });

    it('holds a CarePlan, its CareTeam, Goals and the Patient', () => {
      const types = bundle.entry.map((e) => e.resource.resourceType);
      for (const t of ['CarePlan', 'CareTeam', 'Goal', 'Patient', 'Practitioner', 'PractitionerRole', 'Organization']) expect(types).toContain(t);
    });

    it.each(bundle.entry.map((e, i) => [`${i} ${e.resource.resourceType}`, e] as const))('entry %s validates with no issues', (_name, entry) => {
      const report = validateDetailed(entry.resource);
      expect(report.issues).toEqual([]);
    });

    it('validates its CarePlan against the profiles its category implies', () => {
      const plan = bundle.entry.find((e) => e.resource.resourceType === 'CarePlan');
      expect(validateDetailed(plan?.resource).profiles).toEqual(expectedProfiles[file]);
    });
  });
});
