/**
 * GET|POST Measure/{id}/$evaluate-measure — the standard operation
 * (https://hl7.org/fhir/R4/measure-operation-evaluate-measure.html) with
 * samplan's parameters (profiles/OperationDefinition-measure-evaluate-measure.json):
 * a summary MeasureReport of one indicator over a period, computed by
 * src/measures. Individual and subject-list reports are not offered: they
 * would name patients, and these figures are for committees.
 */
import { fail, quote } from '../../errors.ts';
import { evaluateMeasure, measureResource, type Period } from '../../measures/index.ts';
import { PLAN_KIND_PROFILE } from '../../validation/index.ts';
import { isId } from '../resource-body.ts';
import type { FhirRequest, FhirResponse, FhirServices, InstanceOperation } from '../types.ts';

const NAME = '$evaluate-measure';
const KNOWN = new Set(['periodStart', 'periodEnd', 'reporter', 'kind', 'reportType']);
const KINDS = new Set(Object.keys(PLAN_KIND_PROFILE));
/** A period is read day by day: three years bounds what one request may cost. */
const MAX_DAYS = 3 * 366;
const where = (name: string): string => `Parameters.parameter.where(name = '${name}')`;

/** The parameters, from the query (GET) or a Parameters body (POST), each once. */
function parametersOf(req: FhirRequest): Map<string, string> {
  const pairs: [string, string][] = [];
  if (req.method === 'POST' && req.body !== undefined) {
    const body = req.body as fhir4.Parameters;
    if (body?.resourceType !== 'Parameters') fail('invalid', `${NAME} takes its parameters in the URL or in a Parameters resource`, { expression: 'resourceType' });
    for (const p of body.parameter ?? []) {
      const v = p.valueDate ?? p.valueString ?? p.valueCode ?? p.valueReference?.reference;
      if (typeof v !== 'string') fail('invalid', `Parameter ${quote(p.name ?? '')} needs a date, string, code or reference value`, { expression: where(p.name ?? '') });
      pairs.push([p.name, v]);
    }
  }
  pairs.push(...req.query.filter(([k]) => k !== '_format'));
  const out = new Map<string, string>();
  for (const [k, v] of pairs) {
    if (k === 'subject' || k === 'practitioner') fail('invalid', `${NAME} here gives summary figures only: a report for one ${k === 'subject' ? 'patient' : 'practitioner'} would name them`, { code: 'not-supported', expression: where(k) });
    if (!KNOWN.has(k)) fail('invalid', `Unknown parameter ${quote(k)} (known: ${[...KNOWN].join(', ')})`, { code: 'not-supported', expression: where(k) });
    if (out.has(k)) fail('invalid', `Parameter ${quote(k)} is given twice`, { expression: where(k) });
    out.set(k, v);
  }
  return out;
}

const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A FHIR date (YYYY, YYYY-MM, YYYY-MM-DD) as its first or last day. */
function day(name: string, value: string | undefined, end: boolean): string {
  if (value === undefined) fail('invalid', `${name} is required (a date: YYYY-MM-DD, YYYY-MM or YYYY)`, { code: 'required', expression: where(name) });
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  const [y, mo, d] = m ? [Number(m[1]), m[2] ? Number(m[2]) : undefined, m[3] ? Number(m[3]) : undefined] : [NaN];
  const valid = m && y >= 1900 && (mo === undefined || (mo >= 1 && mo <= 12)) && (d === undefined || (mo !== undefined && d >= 1 && d <= lastDay(y, mo)));
  if (!valid) fail('invalid', `${name} ${quote(value)} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)`, { code: 'value', expression: where(name) });
  const month = mo ?? (end ? 12 : 1);
  const date = d ?? (end ? lastDay(y, month) : 1);
  return `${y}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`;
}

function period(params: Map<string, string>): Period {
  const first = day('periodStart', params.get('periodStart'), false);
  const last = day('periodEnd', params.get('periodEnd'), true);
  if (last < first) fail('invalid', `periodEnd (${last}) is before periodStart (${first})`, { code: 'value', expression: where('periodEnd') });
  if ((Date.parse(last) - Date.parse(first)) / 86_400_000 > MAX_DAYS) fail('invalid', 'A period spans at most three years', { code: 'too-costly', expression: where('periodEnd') });
  return { first, last };
}

export const evaluateMeasureOperation: InstanceOperation = async (req: FhirRequest, _type: string, id: string, svc: FhirServices): Promise<FhirResponse> => {
  if (req.bodyError !== undefined) throw req.bodyError;
  if (!isId(id) || !measureResource(id)) fail('not-found', `Measure/${id} is not known`);
  const params = parametersOf(req);
  const p = period(params);
  const reporter = params.get('reporter');
  if (reporter !== undefined && !/^Organization\/[A-Za-z0-9\-.]{1,64}$/.test(reporter)) fail('invalid', `reporter ${quote(reporter)} must be Organization/{id}`, { code: 'value', expression: where('reporter') });
  const kind = params.get('kind');
  if (kind !== undefined && !KINDS.has(kind)) fail('invalid', `kind ${quote(kind)} is not a plan kind (sip, patientkontrakt, individuell-plan)`, { code: 'code-invalid', expression: where('kind') });
  const reportType = params.get('reportType');
  if (reportType !== undefined && reportType !== 'summary') fail('invalid', `reportType ${quote(reportType)} is not offered: only summary, since the others would name patients`, { code: 'not-supported', expression: where('reportType') });
  const query = new URLSearchParams([...params]).toString();
  const { report } = await svc.store.aggregate(req.ctx, NAME, 'Measure', id, query, (versions) =>
    evaluateMeasure(versions, id, p, { ...(reporter ? { reporter } : {}), ...(kind ? { kind } : {}) }),
  );
  return { status: 200, body: report };
};
