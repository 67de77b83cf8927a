/**
 * No personal data in a report: a cell whose count is 1–4 is not shown
 * (small numbers let a reader recognise the people behind them), nor one
 * whose complement is (4 of 30 plans *without* a contact person is as
 * telling as 4 with one). Zero is shown: it is about nobody.
 *
 * Secondary suppression: when exactly one stratum of a stratifier is hidden,
 * the total minus the others would give it away; then the smallest other
 * stratum that is not empty is hidden too. And when the total itself is
 * hidden, every stratum is (each is a part of it, or of a month like it).
 */
import type { Cell, GroupTally } from './tally.ts';

export const SMALL = 5;

const small = (n: number): boolean => n > 0 && n < SMALL;

/** Would this cell tell about fewer than five people? */
export function isSmall(cell: Cell, hasNumerator: boolean): boolean {
  return small(cell.count) || (hasNumerator && (small(cell.numerator) || small(cell.count - cell.numerator)));
}

/** The cells of a group to hide: the total (key '') and strata ("stratifier|value"). */
export function suppressed(g: GroupTally): Set<string> {
  const hasNumerator = g.definition.numerator !== undefined;
  const hide = new Set<string>();
  const totalHidden = isSmall(g.total, hasNumerator);
  if (totalHidden) hide.add('');
  for (const [s, cells] of g.strata) {
    const key = (v: string): string => `${s}|${v}`;
    const entries = [...cells.entries()];
    for (const [v, cell] of entries) if (totalHidden || isSmall(cell, hasNumerator)) hide.add(key(v));
    const hidden = entries.filter(([v]) => hide.has(key(v)));
    if (hidden.length !== 1) continue;
    const next = entries.filter(([v, c]) => !hide.has(key(v)) && c.count > 0).sort((a, b) => a[1].count - b[1].count || a[0].localeCompare(b[0]))[0];
    if (next) hide.add(key(next[0]));
  }
  return hide;
}
