/**
 * The corpus of invalid resources in ./invalid/: each file holds a resource,
 * what is wrong with it, and the issue (code + expression) and refusal kind
 * (invalid → 400, unprocessable → 422) samplan must answer with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../../src/errors.ts';
import { assertValid, validateResource } from '../../src/validation/index.ts';

interface Case {
  description: string;
  profile?: string;
  expect: { code: string; expression: string; kind: 'invalid' | 'unprocessable' };
  resource: unknown;
}

const DIR = new URL('./invalid/', import.meta.url);
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Case] as const);

describe('invalid corpus', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('covers structure, required, value, invariant and code-invalid, refused with both 400 and 422', () => {
    const codes = new Set(cases.map(([, c]) => c.expect.code));
    for (const code of ['structure', 'required', 'value', 'invariant', 'code-invalid']) expect(codes).toContain(code);
    const kinds = new Set(cases.map(([, c]) => c.expect.kind));
    expect(kinds).toEqual(new Set(['invalid', 'unprocessable']));
  });

  describe.each(cases)('%s', (_file, c) => {
    const opts = c.profile ? { profile: c.profile } : {};

    it(`reports ${c.expect.code} at ${c.expect.expression}`, () => {
      const errors = validateResource(c.resource, opts).filter((i) => i.severity === 'error');
      expect(errors.map((i) => `${i.code} ${i.expression?.[0] ?? ''}`)).toContain(`${c.expect.code} ${c.expect.expression}`);
      for (const i of errors) expect(i.diagnostics, 'every issue explains itself').toBeTruthy();
    });

    it(`is refused as ${c.expect.kind}`, () => {
      let thrown: unknown;
      try {
        assertValid(c.resource, opts);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(FhirError);
      const err = thrown as FhirError;
      expect(err.kind).toBe(c.expect.kind);
      expect(err.status).toBe(c.expect.kind === 'invalid' ? 400 : 422);
      expect(err.outcome.issue.every((i) => i.severity === 'error')).toBe(true);
      expect(err.outcome.issue.some((i) => i.code === c.expect.code && i.expression?.[0] === c.expect.expression)).toBe(true);
    });
  });
});
