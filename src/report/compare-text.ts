/** Two runs' figures as JSON rows and as a plain-text table (`sluice report RUN --compare OTHER`). */
import type { RunReport } from '../core/report.js';
import { compareRows } from './page/compare.js';

export interface CompareFigure {
  readonly figure: string;
  readonly run: number | null;
  readonly other: number | null;
}

export function compareFigures(a: RunReport, b: RunReport): CompareFigure[] {
  return compareRows(a, b).map((r) => ({ figure: r.label, run: r.mine, other: r.theirs }));
}

export function formatCompare(a: RunReport, b: RunReport): string {
  const rows = compareRows(a, b).map((r) => {
    const change =
      r.mine === null || r.theirs === null
        ? '-'
        : r.theirs !== 0
          ? `${r.mine >= r.theirs ? '+' : ''}${(((r.mine - r.theirs) / Math.abs(r.theirs)) * 100).toFixed(1)} %`
          : r.mine === 0
            ? 'same'
            : 'new';
    return [r.label, r.mine === null ? '-' : r.show(r.mine), r.theirs === null ? '-' : r.show(r.theirs), change];
  });
  const table = [['', a.runId, b.runId, 'change'], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((l) => l[i].length)));
  return table
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
