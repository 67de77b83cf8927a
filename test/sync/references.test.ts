/** References on the way to the server and back (src/sync/references.ts). */
import { describe, expect, it } from 'vitest';
import { toLocalForm, toServerForm, type ReferenceResolver } from '../../src/sync/references.ts';

const PNR = { system: 'http://electronichealth.se/identifier/personnummer', value: '193604179980' };
const HSA = { system: 'urn:oid:1.2.752.29.4.19', value: 'SE1234567890-KOM1' };
const HERE = 'https://region.samplan.test/fhir';

/** This instance has Patient/p1 (PNR) and Organization/o1 (HSA); Practitioner/x has no identifier. */
const resolver: ReferenceResolver = {
  async identifierOf(type, id) {
    return type === 'Patient' && id === 'p1' ? PNR : type === 'Organization' && id === 'o1' ? HSA : undefined;
  },
  async findByIdentifier(type, identifier) {
    return type === 'Patient' && identifier.value === PNR.value ? 'p1' : undefined;
  },
};

const plan = (refs: Partial<Record<'subject' | 'team' | 'performer' | 'agreed', fhir4.Reference>>): fhir4.CarePlan => ({
  resourceType: 'CarePlan',
  status: 'draft',
  intent: 'plan',
  subject: refs.subject ?? { reference: 'Patient/p1' },
  careTeam: [refs.team ?? { reference: 'CareTeam/t1' }],
  activity: [{ detail: { status: 'not-started', performer: [refs.performer ?? { reference: 'Organization/o1', display: 'Kommunen' }] } }],
  extension: [{ url: 'x', valueReference: refs.agreed ?? { reference: 'CarePlan/c1/_history/3' } }],
});

describe('to the server', () => {
  it('keeps synced resources relative, makes local-only ones absolute with their identifier', async () => {
    const out = await toServerForm(plan({}), HERE, resolver);
    expect(out.subject).toEqual({ reference: `${HERE}/Patient/p1`, identifier: PNR });
    expect(out.careTeam?.[0]).toEqual({ reference: 'CareTeam/t1' });
    expect(out.activity?.[0]?.detail?.performer?.[0]).toEqual({ reference: `${HERE}/Organization/o1`, display: 'Kommunen', identifier: HSA });
    // A version of this instance's plan names this instance's version numbering.
    expect(out.extension?.[0]?.valueReference).toEqual({ reference: `${HERE}/CarePlan/c1/_history/3` });
  });

  it('leaves absolute, logical and contained references alone, and the input unchanged', async () => {
    const input = plan({ subject: { reference: 'https://other.example/fhir/Patient/9' }, performer: { identifier: HSA }, team: { reference: '#t' } });
    const copy = structuredClone(input);
    const out = await toServerForm(input, HERE, resolver);
    expect(out.subject).toEqual({ reference: 'https://other.example/fhir/Patient/9' });
    expect(out.careTeam?.[0]).toEqual({ reference: '#t' });
    expect(input).toEqual(copy);
  });
});

describe('back from the server', () => {
  it("this instance's own references become relative again, as they were", async () => {
    const original = plan({});
    const back = await toLocalForm(await toServerForm(original, HERE, resolver), HERE, resolver);
    expect(back).toEqual(original);
  });

  it("another instance's patient resolves to this instance's record with the same personnummer", async () => {
    const there = plan({ subject: { reference: 'https://kommun.samplan.test/fhir/Patient/zz', identifier: PNR } });
    const back = await toLocalForm(there, HERE, resolver);
    expect(back.subject).toEqual({ reference: 'Patient/p1', identifier: PNR });
  });

  it('a reference nobody here knows stays absolute and logical', async () => {
    const there = plan({ performer: { reference: 'https://kommun.samplan.test/fhir/Practitioner/q', identifier: { system: 'urn:oid:1.2.752.29.4.19', value: 'SE-unknown' } } });
    const back = await toLocalForm(there, HERE, resolver);
    expect(back.activity?.[0]?.detail?.performer?.[0]?.reference).toBe('https://kommun.samplan.test/fhir/Practitioner/q');
  });
});
