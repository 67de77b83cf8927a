/**
 * Issue 5, hardening: an error message repeats a caller's input only in part.
 * Whatever is echoed is cut to ECHO_LIMIT characters with an ellipsis and its
 * control characters are escaped, so 10 kB of hostile input do not come back
 * whole, and a newline or terminal escape cannot forge lines in a log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_LIMIT, FhirError, limitEcho, outcome, quote } from '../../src/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectOutcome } from './support.ts';

const HOSTILE = 'x'.repeat(10_000);
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

describe('quote() and the limit every OperationOutcome gets', () => {
  it('quote() keeps short input as it is', () => {
    expect(quote('abc')).toBe("'abc'");
    expect(quote('x'.repeat(ECHO_LIMIT))).toBe(`'${'x'.repeat(ECHO_LIMIT)}'`);
  });

  it('quote() cuts long input to ECHO_LIMIT characters and an ellipsis', () => {
    expect(quote(HOSTILE)).toBe(`'${'x'.repeat(ECHO_LIMIT)}…'`);
  });

  it('quote() escapes control characters, line separators and bidi overrides', () => {
    expect(quote('a\nb\r\u001b[31m\u0000\u2028\u202e')).toBe("'a\\u000ab\\u000d\\u001b[31m\\u0000\\u2028\\u202e'");
  });

  it('quote() never splits a surrogate pair', () => {
    const q = quote('x'.repeat(ECHO_LIMIT - 1) + '😀'.repeat(10));
    expect(q).toBe(`'${'x'.repeat(ECHO_LIMIT - 1)}…'`);
    expect(() => encodeURIComponent(q)).not.toThrow(); // a lone surrogate would throw
  });

  it('limitEcho() cuts a long run without whitespace and keeps its closing quote', () => {
    const text = limitEcho(`Unknown search parameter '${HOSTILE}' for CarePlan.`);
    expect(text).toBe(`Unknown search parameter '${'x'.repeat(ECHO_LIMIT - 1)}…' for CarePlan.`);
  });

  it('limitEcho() caps a whole text that is long only because of spaces', () => {
    const text = limitEcho(`_format=${'x '.repeat(5_000)}`);
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text.endsWith('…')).toBe(true);
  });

  it('limitEcho() leaves normal messages alone and is idempotent', () => {
    const normal = "resourceType 'Goal' does not match the URL's type 'CarePlan'";
    expect(limitEcho(normal)).toBe(normal);
    for (const t of [`id ${quote(HOSTILE)}.`, `x ${HOSTILE} y`, 'a\nb', 'x '.repeat(5_000)]) expect(limitEcho(limitEcho(t))).toBe(limitEcho(t));
  });

  it('FhirError: diagnostics, expression and message are limited whatever built them', () => {
    const err = new FhirError('invalid', { diagnostics: `'${HOSTILE}' is not a valid date\n[forged log line]`, expression: `CarePlan.${HOSTILE}` });
    const issue = err.outcome.issue[0]!;
    expect(issue.diagnostics!.length).toBeLessThan(200);
    expect(issue.diagnostics).not.toMatch(CONTROL);
    expect(issue.diagnostics).toContain('\\u000a[forged log line]');
    expect(issue.expression![0]!.length).toBeLessThanOrEqual(300);
    expect(err.message.length).toBeLessThan(200); // the text audit records and logs carry
    const list = new FhirError('unprocessable', [{ severity: 'error', code: 'value', diagnostics: HOSTILE }]);
    expect(list.outcome.issue[0]!.diagnostics!.length).toBeLessThanOrEqual(ECHO_LIMIT + 1);
  });

  it('outcome() limits issues built by hand ($validate, search notes)', () => {
    const oo = outcome([{ severity: 'warning', code: 'informational', diagnostics: `Ignored ${HOSTILE}` }]);
    expect(oo.issue[0]!.diagnostics).toBe(`Ignored ${'x'.repeat(ECHO_LIMIT)}…`);
  });
});

describe('over HTTP: hostile input does not come back whole', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  /** The response's diagnostics, checked to hold neither the hostile input nor a raw control character. */
  async function diagnostics(res: Response, status: number): Promise<string> {
    expect(res.status).toBe(status);
    const text = await res.clone().text();
    expect(text.length).toBeLessThan(2_000);
    const oo = await expectOutcome(res);
    const d = oo.issue.map((i) => i.diagnostics ?? '').join(' | ');
    expect(d).not.toContain('x'.repeat(ECHO_LIMIT + 1));
    expect(d).not.toMatch(CONTROL);
    return d;
  }

  it('an unknown search parameter name of 10 kB', async () => {
    const d = await diagnostics(await s.request(`/fhir/CarePlan?${HOSTILE}=1`), 400);
    expect(d).toContain(`'${'x'.repeat(ECHO_LIMIT - 1)}…'`);
  });

  it('an unknown resource type of 5 kB', async () => {
    const d = await diagnostics(await s.request(`/fhir/X${'x'.repeat(5_000)}`), 404);
    expect(d).toContain('…');
  });

  it('a bad id of 10 kB', async () => {
    await diagnostics(await s.request(`/fhir/CarePlan/${HOSTILE}`), 400);
  });

  it('a bad date of 10 kB', async () => {
    const d = await diagnostics(await s.request(`/fhir/CarePlan?date=${HOSTILE}`), 400);
    expect(d).toMatch(/not a valid date/);
  });

  it('an unknown operation of 10 kB', async () => {
    await diagnostics(await s.request(`/fhir/CarePlan/x1/$${HOSTILE}`, { method: 'POST' }), 404);
  });

  it('a bad If-Match of 8 kB', async () => {
    const res = await s.request('/fhir/CarePlan/x1', { method: 'PUT', headers: { 'If-Match': 'x'.repeat(8_000) }, json: { resourceType: 'CarePlan', id: 'x1' } });
    await diagnostics(res, 400);
  });

  it('a bad Content-Type of 8 kB', async () => {
    await diagnostics(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': `application/${'x'.repeat(8_000)}` }, body: '{}' }), 415);
  });

  it('control characters in a parameter name come back escaped', async () => {
    const d = await diagnostics(await s.request('/fhir/CarePlan?ab%0Aforged%1B%5B31m=1'), 400);
    expect(d).toContain("'ab\\u000aforged\\u001b[31m'");
  });

  it('normal-length input is still echoed whole', async () => {
    const d = await diagnostics(await s.request('/fhir/CarePlan?colour=red'), 400);
    expect(d).toContain("Unknown search parameter 'colour' for CarePlan");
    expect(await diagnostics(await s.request('/fhir/CarePlan/a_b'), 400)).toContain("'a_b' is not a valid FHIR id");
  });
});
