/** An indicator's figures in words: a share as per cent, days, plans; a masked cell as "fewer than 5". */
import { formatNumber } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import type { Figure, FigureKind } from '../indicator-figures.ts';

/** A score as its kind reads; `short` for a chart's axis (no decimals). */
export function scoreText(kind: FigureKind, value: number, short = false): string {
  if (kind === 'share') return formatNumber(value, { style: 'percent', maximumFractionDigits: short ? 0 : 1 });
  return formatNumber(value, { maximumFractionDigits: short || kind === 'count' ? 0 : 1 });
}

export function figureText(kind: FigureKind, f: Figure): string {
  if (f.masked) return t('indicators.masked');
  if (f.score === undefined) return t('indicators.none');
  return scoreText(kind, f.score);
}

/** The count beside a score: plans counted (share: the denominator; days: the plans measured). */
export function countText(f: Figure, which: 'count' | 'numerator'): string {
  if (f.masked) return t('indicators.masked');
  const n = f[which];
  return n === undefined ? '–' : formatNumber(n);
}
