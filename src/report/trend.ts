/** Trends across runs: one row per run with deltas against the previous (older) run. */
import type { RunReport } from '../core/report.js';

export interface TrendValues {
  readonly wallMs: number;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly p95Ms: number;
  readonly errorRate: number;
  readonly rows: number;
  readonly peakRssMb: number;
}

export interface TrendRow extends TrendValues {
  readonly runId: string;
  readonly startedAt: string;
  readonly status: string;
  /** Change against the previous run; null for the oldest run. */
  readonly delta: TrendValues | null;
}

const KEYS: ReadonlyArray<keyof TrendValues> = [
  'wallMs',
  'calls',
  'callsPerSecond',
  'p95Ms',
  'errorRate',
  'rows',
  'peakRssMb',
];

function values(r: RunReport): TrendValues {
  return {
    wallMs: r.wallMs,
    calls: r.calls.total,
    callsPerSecond: r.calls.callsPerSecond,
    p95Ms: r.calls.p95Ms,
    errorRate: r.calls.errorRate,
    rows: r.rows.written,
    peakRssMb: r.memory.peakRssMb,
  };
}

/** Rows oldest first, whatever order the reports come in. */
export function trendTable(reports: readonly RunReport[]): TrendRow[] {
  const sorted = [...reports].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  let prev: TrendValues | null = null;
  return sorted.map((r) => {
    const v = values(r);
    const delta: TrendValues | null =
      prev === null ? null : (Object.fromEntries(KEYS.map((k) => [k, v[k] - prev![k]])) as unknown as TrendValues);
    prev = v;
    return { runId: r.runId, startedAt: r.startedAt, status: r.status, ...v, delta };
  });
}

const fmt = (x: number, digits: number) => (Number.isInteger(x) && digits === 0 ? String(x) : x.toFixed(digits));
const signed = (x: number, digits: number) => (x > 0 ? '+' : '') + fmt(x, digits);

/** A plain-text table of trend rows. */
export function formatTrendTable(rows: readonly TrendRow[]): string {
  const cols: Array<[string, keyof TrendValues, number]> = [
    ['wall s', 'wallMs', 0],
    ['calls', 'calls', 0],
    ['calls/s', 'callsPerSecond', 2],
    ['p95 ms', 'p95Ms', 1],
    ['err %', 'errorRate', 2],
    ['rows', 'rows', 0],
    ['peak MB', 'peakRssMb', 1],
  ];
  const show = (row: TrendRow, key: keyof TrendValues, d: number): string => {
    const scale = key === 'wallMs' ? 1 / 1000 : key === 'errorRate' ? 100 : 1;
    const digits = key === 'wallMs' ? 1 : d;
    const cell = fmt(row[key] * scale, digits);
    return row.delta === null ? cell : `${cell} (${signed(row.delta[key] * scale, digits)})`;
  };
  const table = [['run', 'started', 'status', ...cols.map((c) => c[0])]];
  for (const r of rows)
    table.push([r.runId, r.startedAt.slice(0, 19), r.status, ...cols.map(([, k, d]) => show(r, k, d))]);
  const widths = table[0].map((_, i) => Math.max(...table.map((line) => line[i].length)));
  return table
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
