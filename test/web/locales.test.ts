/** One key set in sv, nb and en: no key missing or extra, none empty, the same {placeholders}, and every key the code names exists. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES, LOCALES } from '../../src/web/shared/messages.ts';
import { WEB_SOURCE } from '../../src/web/index.ts';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('locale files', () => {
  const keys = Object.keys(MESSAGES.en).sort();

  it.each(LOCALES)('%s has exactly the key set of en, each with a text and the same placeholders', (locale) => {
    const m = MESSAGES[locale];
    expect(Object.keys(m).sort()).toEqual(keys);
    for (const k of keys) {
      expect(m[k as keyof typeof m].trim(), `${locale} ${k}`).not.toBe('');
      expect(placeholders(m[k as keyof typeof m]), `${locale} ${k}`).toEqual(placeholders(MESSAGES.en[k as keyof typeof MESSAGES.en]));
    }
  });

  it('every literal key the web code passes to t() exists', () => {
    const used = sources(WEB_SOURCE).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z][\w.-]*)'/g)].map((m) => [file, m[1]!] as const));
    expect(used.length).toBeGreaterThan(50);
    const missing = used.filter(([, k]) => !(k in MESSAGES.en)).map(([f, k]) => `${k} (${f})`);
    expect(missing).toEqual([]);
  });

  it('the keys built from codes exist for every code (plan and measure statuses, plan kinds, timing units, problem kinds)', () => {
    const built = [
      ...['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'].map((c) => `status.${c}`),
      ...['not-started', 'scheduled', 'in-progress', 'on-hold', 'completed', 'cancelled', 'stopped', 'unknown', 'entered-in-error'].map((c) => `activity.${c}`),
      ...['sip', 'patientkontrakt', 'individuell-plan'].map((c) => `kind.${c}`),
      ...['min', 'h', 'd', 'wk', 'mo', 'a'].flatMap((u) => [`timing.every.${u}`, `timing.everyOther.${u}`, `timing.everyN.${u}`, `timing.timesPer.${u}`, `unit.${u}`]),
      ...['expired', 'offline', 'refused', 'not-found', 'conflict', 'invalid', 'other'].map((c) => `error.${c}`),
      ...['measure-added', 'measure-removed', 'measure-changed', 'measure-reworded', 'goal-added', 'goal-removed', 'goal-changed', 'contact-changed', 'coordinator-changed', 'review-changed', 'period-changed'].map((c) => `changes.${c}`),
      ...['description', 'responsible', 'timing', 'principal', 'other'].map((c) => `changes.aspect.${c}`),
    ];
    expect(built.filter((k) => !(k in MESSAGES.en))).toEqual([]);
  });
});
