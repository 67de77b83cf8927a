/**
 * One indicator group month by month, drawn by uPlot (a ~50 kB canvas
 * chart, https://github.com/leeoniya/uPlot). The chart is for the eye only
 * (aria-hidden): the table beside it holds the same figures for screen
 * readers and for copying. A masked month is a gap in the line, never a zero.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../../shared/dom.ts';
import { t } from '../../shared/i18n.ts';
import type { GroupFigures } from '../indicator-figures.ts';
import { formatMonthShort } from '../../shared/format.ts';
import { scoreText } from './indicator-words.ts';

/** The chart's colours from the page's own palette (styles.css), so both stay in step. */
function palette(): { ink: string; accent: string; line: string } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return { ink: v('--ink', '#1b1b1b'), accent: v('--accent', '#00527a'), line: v('--line', '#767676') };
}

/** Figures on the chart's scale: a share as per cent, masked or empty months as gaps. */
function series(g: GroupFigures): (number | null)[] {
  return g.months.map((m) => (m.figure.masked || m.figure.score === undefined ? null : g.kind === 'share' ? m.figure.score * 100 : m.figure.score));
}

/** The chart in its holder, and the chart itself: uPlot listens on the window until `destroy()`, which the view calls when it redraws. */
export function indicatorChart(g: GroupFigures, width: number): { holder: HTMLElement; chart: uPlot } {
  const holder = h('div', { class: 'indicator-chart', 'aria-hidden': 'true', 'data-testid': `chart-${g.code}`, title: t('indicators.chart') });
  const colours = palette();
  // "jan" under each month, the year under the first and under January: twelve labels fit a phone.
  const labels = g.months.map((m, i) => (i === 0 || m.value.endsWith('-01') ? `${formatMonthShort(m.value)}\n${m.value.slice(0, 4)}` : formatMonthShort(m.value)));
  const xs = g.months.map((_, i) => i);
  const ys = series(g);
  const top = g.kind === 'share' ? 100 : Math.max(5, ...ys.map((y) => y ?? 0));
  const axis = { stroke: colours.ink, grid: { stroke: '#e3e3e3', width: 1 }, ticks: { stroke: colours.line, width: 1 } };
  const chart = new uPlot(
    {
      width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] }, y: { range: [0, top * 1.1] } },
      series: [{}, { stroke: colours.accent, width: 2, spanGaps: false, points: { show: true, size: 7, fill: colours.accent } }],
      axes: [
        { ...axis, size: 48, splits: () => xs, values: (_u, splits) => splits.map((i) => labels[i] ?? '') },
        { ...axis, size: 56, values: (_u, splits) => splits.map((v) => scoreText(g.kind, g.kind === 'share' ? v / 100 : v, true)) },
      ],
    },
    [xs, ys],
    holder,
  );
  return { holder, chart };
}
