/**
 * Plan histories for the indicator tests: versions written straight into the
 * versioned store at chosen times (a clock the test moves), so each test
 * knows by hand what every indicator must say about them.
 */
import { agreementExtension } from '../../src/plans/index.ts';
import type { Database } from '../../src/store/index.ts';
import { CODE_SYSTEM, EXTENSION } from '../../src/validation/index.ts';
import { openTestDatabase } from '../support/db.ts';

export interface PlanShape {
  status?: fhir4.CarePlan['status'];
  kind?: 'sip' | 'patientkontrakt' | 'individuell-plan';
  /** The principal (huvudman) of its measure. */
  principal?: string;
  /** The organisation performing its measure. */
  performer?: string;
  /** 'reachable': party and phone; 'unreachable': party only; undefined: none. */
  contact?: 'reachable' | 'unreachable';
  coordinator?: boolean;
  agreement?: 'current' | 'stale';
  agreedAt?: string;
  review?: string;
  /** A second measure the patient performs. */
  own?: boolean;
  created?: string;
}

export function plan(id: string, s: PlanShape): fhir4.CarePlan & { id: string } {
  const patient = `Patient/p-${id}`;
  const ext: fhir4.Extension[] = [];
  if (s.coordinator) ext.push({ url: EXTENSION.coordinator, valueReference: { reference: 'Practitioner/coord' } });
  if (s.contact) {
    ext.push({
      url: EXTENSION.contactPerson,
      extension: [{ url: 'party', valueReference: { reference: 'Practitioner/contact' } }, ...(s.contact === 'reachable' ? [{ url: 'telecom', valueContactPoint: { system: 'phone' as const, value: '+46 40 00 00 00' } }] : [])],
    });
  }
  if (s.review) ext.push({ url: EXTENSION.nextReview, valueDate: s.review });
  if (s.agreement) {
    ext.push(
      agreementExtension({
        status: s.agreement,
        agreedVersion: `CarePlan/${id}/_history/1`,
        agreedAt: s.agreedAt ?? '2025-11-01T10:00:00Z',
        agreedBy: { reference: patient },
        provenance: { reference: 'Provenance/x' },
        contentDigest: 'x',
      }),
    );
  }
  return {
    resourceType: 'CarePlan',
    id,
    status: s.status ?? 'active',
    intent: 'plan',
    subject: { reference: patient },
    ...(s.created ? { created: s.created } : {}),
    ...(ext.length ? { extension: ext } : {}),
    category: s.kind ? [{ coding: [{ system: CODE_SYSTEM.planKind, code: s.kind }] }] : [],
    activity: [
      {
        detail: {
          status: 'in-progress',
          description: 'Hembesök',
          ...(s.principal ? { extension: [{ url: EXTENSION.principal, valueReference: { reference: s.principal, display: `Name of ${s.principal}` } }] } : {}),
          ...(s.performer ? { performer: [{ reference: s.performer, display: `Name of ${s.performer}` }] } : {}),
        },
      },
      ...(s.own ? [{ detail: { status: 'in-progress' as const, description: 'Promenad varje dag', performer: [{ reference: patient }] } }] : []),
    ],
  };
}

export interface History {
  db: Database;
  /** Writes the plan as its next version at `at` (an ISO instant). */
  write(at: string, p: fhir4.CarePlan & { id: string }): Promise<void>;
  /** Deletes the plan at `at`. */
  remove(at: string, id: string): Promise<void>;
  /** Sets what "now" is for the evaluation. */
  setNow(at: string): void;
}

export async function history(): Promise<History> {
  let now = new Date('2025-01-01T00:00:00Z');
  const db = await openTestDatabase(() => now);
  const next = async (id: string): Promise<number> => (await db.versions.current('CarePlan', id))?.versionId ?? 0;
  return {
    db,
    setNow: (at) => void (now = new Date(at)),
    async write(at, p) {
      now = new Date(at);
      await db.versions.write({ type: 'CarePlan', id: p.id, resource: p, expect: await next(p.id), writtenBy: 'system' });
    },
    async remove(at, id) {
      now = new Date(at);
      await db.versions.write({ type: 'CarePlan', id, resource: null, expect: await next(id), writtenBy: 'system' });
    },
  };
}

type Group = fhir4.MeasureReportGroup;
type Population = fhir4.MeasureReportGroupPopulation & { _count?: fhir4.Element };

export const groupOf = (r: fhir4.MeasureReport, code: string): Group => {
  const g = r.group?.find((x) => x.id === code);
  if (!g) throw new Error(`no group ${code}`);
  return g;
};

/** A population's count, or 'masked' when suppressed. */
export function count(pops: fhir4.MeasureReportGroupPopulation[] | undefined, code: string): number | 'masked' | undefined {
  const p = pops?.find((x) => x.code?.coding?.[0]?.code === code) as Population | undefined;
  if (!p) return undefined;
  if (p._count?.extension?.some((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/data-absent-reason' && e.valueCode === 'masked')) return 'masked';
  return p.count;
}

/** The strata of a stratifier: value (a code, or text) → count of `population`. */
export function strata(g: Group, stratifier: string, population = 'initial-population'): Record<string, number | 'masked' | undefined> {
  const s = g.stratifier?.find((x) => x.code?.[0]?.coding?.[0]?.code === stratifier);
  if (!s) throw new Error(`no stratifier ${stratifier}`);
  return Object.fromEntries((s.stratum ?? []).map((st) => [st.value?.coding?.[0]?.code ?? st.value?.text ?? '?', count(st.population, population)]));
}

/** The score: a number, 'masked', or undefined when there is none. */
export function score(x: { measureScore?: fhir4.Quantity }): number | 'masked' | undefined {
  if (x.measureScore?.extension?.some((e) => e.valueCode === 'masked')) return 'masked';
  return x.measureScore?.value;
}
