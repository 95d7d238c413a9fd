/**
 * Chart specs of a run report: plain data (x values, series, colours) that the page's script hands
 * to the chart library. Read defensively, so older or partial reports still render. With a second
 * report, each time chart also shows that run, dashed, on the same seconds-since-start axis.
 */
import type { RunReport } from '../../core/report.js';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly values: ReadonlyArray<number | null>;
  /** What hover shows when `values` are stacked sums. */
  readonly raw?: ReadonlyArray<number | null>;
  readonly axis?: 'left' | 'right';
  readonly dash?: boolean;
  readonly unit?: string;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** One line under the title: what to read in it. */
  readonly note: string;
  readonly kind: 'line' | 'bars' | 'stacked';
  /** Seconds since the start (line, stacked) or bar indexes (bars). */
  readonly x: readonly number[];
  readonly xLabels?: readonly string[];
  readonly yTitle: string;
  readonly y2Title?: string;
  readonly series: readonly ChartSeries[];
}

/** Colours of the slot states, shared by the stacked chart, the lanes and the totals bar. */
export const STATE_COLORS = {
  rows: '#a78bfa',
  quota: '#f59e0b',
  fetch: '#3b82f6',
  queued: '#94a3b8',
  write: '#10b981',
} as const;

export const STATE_LABELS = {
  rows: 'waiting for the row budget',
  quota: 'waiting for quota',
  fetch: 'fetching',
  queued: 'queued for the writer',
  write: 'writing',
} as const;

/** Bottom to top of the stack. */
const STACK = ['rows', 'quota', 'fetch', 'queued', 'write'] as const;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);

interface Line {
  readonly x: readonly number[];
  readonly y: ReadonlyArray<number | null>;
}

/** Puts lines with different x values on one sorted x axis (gaps where a line has no value). */
export function joinLines(lines: readonly Line[]): { x: number[]; ys: Array<Array<number | null>> } {
  const x = [...new Set(lines.flatMap((l) => l.x))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const ys = lines.map((l) => {
    const out = new Array<number | null>(x.length).fill(null);
    l.x.forEach((v, i) => (out[at.get(v)!] = l.y[i] ?? null));
    return out;
  });
  return { x, ys };
}

function timeline(r: RunReport | undefined): Rec[] {
  return r ? list(r.timeline) : [];
}

function column(points: readonly Rec[], key: string): Line {
  return { x: points.map((p) => num(p.tMs) / 1000), y: points.map((p) => num(p[key])) };
}

/** A line chart of timeline columns, with the other run's first column dashed. */
function timeChart(
  base: Omit<ChartSpec, 'kind' | 'x' | 'series'>,
  r: RunReport,
  other: RunReport | undefined,
  cols: ReadonlyArray<{
    key: string;
    label: string;
    color: string;
    axis?: 'left' | 'right';
    unit?: string;
    dash?: boolean;
  }>,
  extra: ReadonlyArray<{ label: string; color: string; value: number; unit?: string }> = [],
): ChartSpec {
  const mine = timeline(r);
  const theirs = timeline(other);
  const lines: Line[] = cols.map((c) => column(mine, c.key));
  const otherCol = cols[0];
  if (other && theirs.length > 0) lines.push(column(theirs, otherCol.key));
  const { x, ys } = joinLines(lines);
  const series: ChartSeries[] = cols.map((c, i) => ({
    label: c.label,
    color: c.color,
    values: ys[i],
    axis: c.axis,
    unit: c.unit,
    dash: c.dash,
  }));
  if (other && theirs.length > 0)
    series.push({
      label: `${otherCol.label} (${other.runId})`,
      color: '#64748b',
      values: ys[cols.length],
      dash: true,
      unit: otherCol.unit,
    });
  for (const e of extra)
    if (x.length > 0)
      series.push({ label: e.label, color: e.color, values: x.map(() => e.value), dash: true, unit: e.unit });
  return { ...base, kind: 'line', x, series };
}

function stateChart(r: RunReport): ChartSpec | null {
  const points = timeline(r);
  if (!points.some((p) => isRec(p.slots))) return null;
  const raw = STACK.map((s) => points.map((p) => (isRec(p.slots) ? num(p.slots[s]) : 0)));
  const sums = raw.map((_, i) => points.map((_p, j) => raw.slice(0, i + 1).reduce((t, r2) => t + r2[j], 0)));
  const series: ChartSeries[] = STACK.map((s, i) => ({
    label: STATE_LABELS[s],
    color: STATE_COLORS[s],
    values: sums[i],
    raw: raw[i],
  })).reverse();
  return {
    id: 'chart-states',
    title: 'Batches by state',
    note: 'how many batches were in each state, on average over each interval',
    kind: 'stacked',
    x: points.map((p) => num(p.tMs) / 1000),
    yTitle: 'batches',
    series,
  };
}

function bars(id: string, title: string, note: string, labels: string[], values: number[], color: string): ChartSpec {
  return {
    id,
    title,
    note,
    kind: 'bars',
    x: labels.map((_, i) => i),
    xLabels: labels,
    yTitle: 'count',
    series: [{ label: title === 'Call latency' ? 'calls' : 'batches', color, values }],
  };
}

/** Charts of a report, in page order; `other` adds a comparison line to the time charts. */
export function reportCharts(r: RunReport, other?: RunReport): ChartSpec[] {
  const quota = typeof r.calls.quotaPerSecond === 'number' ? r.calls.quotaPerSecond : null;
  const latency = list(r.latencyHistogram);
  const sizes = list(r.batchSizeHistogram).filter((b) => num(b.count) > 0 || num(b.to) > 0);
  const charts: Array<ChartSpec | null> = [
    timeChart(
      {
        id: 'chart-calls',
        title: 'Calls per second',
        note: quota === null ? 'calls started per second, rows fetched per second' : 'against the quota (dashed red)',
        yTitle: 'calls/s',
        y2Title: 'rows/s',
      },
      r,
      other,
      [
        { key: 'callsPerSecond', label: 'calls/s', color: '#2563eb' },
        { key: 'rowsPerSecond', label: 'rows/s', color: '#f97316', axis: 'right' },
      ],
      quota === null ? [] : [{ label: 'quota', color: '#dc2626', value: quota }],
    ),
    stateChart(r),
    timeChart(
      { id: 'chart-concurrency', title: 'Concurrency', note: 'the limit and the calls in flight', yTitle: 'calls' },
      r,
      other,
      [
        { key: 'inflight', label: 'in flight', color: '#0d9488' },
        { key: 'limit', label: 'limit', color: '#7c3aed', dash: true },
      ],
    ),
    bars(
      'chart-latency',
      'Call latency',
      'calls by duration (upper bound, ms)',
      latency.map((b) => (b.leMs === null ? '>30s' : `≤${num(b.leMs)}`)),
      latency.map((b) => num(b.count)),
      '#2563eb',
    ),
    bars(
      'chart-sizes',
      'Batch sizes',
      'done batches by rows',
      sizes.map((b) => (num(b.to) === num(b.from) ? String(num(b.from)) : `${num(b.from)}–${num(b.to)}`)),
      sizes.map((b) => num(b.count)),
      '#f97316',
    ),
    timeChart(
      { id: 'chart-memory', title: 'Memory', note: 'resident set size of the run process', yTitle: 'MB' },
      r,
      other,
      [{ key: 'rssMb', label: 'RSS', color: '#c2410c', unit: ' MB' }],
    ),
  ];
  return [...charts.filter((c): c is ChartSpec => c !== null), ...syncCharts(r)];
}

/** A sync's report: one chart per dataset, its calls per second on the sync's clock. */
function syncCharts(r: RunReport): ChartSpec[] {
  return (r.sync?.datasets ?? [])
    .filter((d) => d.timeline.length > 0)
    .map((d) => ({
      id: `chart-sync-${d.name}`,
      title: `${d.name}: calls per second`,
      note: `${d.calls} calls, lower bound ${d.lowerBound}; seconds since the sync started`,
      kind: 'line' as const,
      x: d.timeline.map(([t]) => t / 1000),
      yTitle: 'calls/s',
      series: [{ label: 'calls/s', color: '#2563eb', values: d.timeline.map(([, v]) => v) }],
    }));
}

/** True when a chart has something to draw. */
export function hasData(c: ChartSpec): boolean {
  return c.x.length > 0 && c.series.some((s) => s.values.some((v) => v !== null && v !== 0));
}
