/** The FHIR date parser behind date search and membership periods (src/store/search/values.ts). */
import { describe, expect, it } from 'vitest';
import { dateRange, periodRange } from '../../src/store/search/values.ts';

describe('dateRange', () => {
  it('gives the range a value covers at its precision', () => {
    expect(dateRange('2024-02')).toEqual({ lo: new Date('2024-02-01T00:00:00Z'), hi: new Date('2024-03-01T00:00:00Z') });
    expect(dateRange('2024-05-01T10:00:00+02:00')).toEqual({ lo: new Date('2024-05-01T08:00:00Z'), hi: new Date('2024-05-01T08:00:01Z') });
  });

  it('refuses years before 100 rather than reading them as 19xx', () => {
    expect(dateRange('0050')).toBeUndefined();
    expect(dateRange('0099-01-01')).toBeUndefined();
  });
});

describe('periodRange', () => {
  it('reaches back to year 1 for an open start, and to 9999 for an open end', () => {
    expect(periodRange({ end: '1850' })!.lo.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(periodRange({ start: '2020' })!.hi.getUTCFullYear()).toBe(9999);
  });
});
