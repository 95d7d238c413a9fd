/**
 * Two runs side by side (`sluice report RUN --compare OTHER --html FILE`): each figure of this run,
 * the other's, and the change, green when it is better and red when it is worse.
 */
import type { RunReport, SlotState } from '../../core/report.js';
import { escapeHtml as esc } from './assets.js';
import { cells, duration, fixed, int, isRec, latency, num, numOrNull, percent, table } from './format.js';

export interface CompareRow {
  readonly label: string;
  readonly mine: number | null;
  readonly theirs: number | null;
  /** Which way is better. */
  readonly better: 'lower' | 'higher' | 'none';
  readonly show: (v: number) => string;
}

function timeShare(r: RunReport, state: SlotState): number | null {
  const t: Record<string, unknown> | undefined = isRec(r.slots) && isRec(r.slots.totalMs) ? r.slots.totalMs : undefined;
  if (!t) return null;
  const all = Object.values(t).reduce<number>((s, v) => s + num(v), 0);
  return all > 0 ? num(t[state]) / all : null;
}

/** The figures compared, in table order. */
export function compareRows(a: RunReport, b: RunReport): CompareRow[] {
  const ms = (v: number) => duration(v);
  const n = (v: number) => int(v);
  const share = (v: number) => percent(v);
  const rows: Array<Omit<CompareRow, 'mine' | 'theirs'> & { mine: unknown; theirs: unknown }> = [
    { label: 'wall time', mine: a.wallMs, theirs: b.wallMs, better: 'lower', show: ms },
    { label: 'batches done', mine: a.batches.done, theirs: b.batches.done, better: 'none', show: n },
    { label: 'batches failed', mine: a.batches.failed, theirs: b.batches.failed, better: 'lower', show: n },
    { label: 'rows written', mine: a.rows.written, theirs: b.rows.written, better: 'none', show: n },
    { label: 'calls', mine: a.calls.total, theirs: b.calls.total, better: 'lower', show: n },
    {
      label: 'calls / lower bound',
      mine: a.calls.overLowerBound,
      theirs: b.calls.overLowerBound,
      better: 'lower',
      show: (v) => `${fixed(v, 2)}x`,
    },
    {
      label: 'calls/s',
      mine: a.calls.callsPerSecond,
      theirs: b.calls.callsPerSecond,
      better: 'higher',
      show: (v) => fixed(v, 2),
    },
    {
      label: 'refused (rate-limited)',
      mine: a.calls.rateLimited,
      theirs: b.calls.rateLimited,
      better: 'lower',
      show: n,
    },
    {
      label: 'error rate',
      mine: a.calls.errorRate,
      theirs: b.calls.errorRate,
      better: 'lower',
      show: (v) => percent(v, 2),
    },
    {
      label: 'latency p50',
      mine: a.calls.p50Ms,
      theirs: b.calls.p50Ms,
      better: 'lower',
      show: latency,
    },
    {
      label: 'latency p95',
      mine: a.calls.p95Ms,
      theirs: b.calls.p95Ms,
      better: 'lower',
      show: latency,
    },
    {
      label: 'latency p99',
      mine: a.calls.p99Ms,
      theirs: b.calls.p99Ms,
      better: 'lower',
      show: latency,
    },
    {
      label: 'peak RSS',
      mine: a.memory.peakRssMb,
      theirs: b.memory.peakRssMb,
      better: 'lower',
      show: (v) => `${fixed(v)} MB`,
    },
    {
      label: 'time waiting for quota',
      mine: timeShare(a, 'quota'),
      theirs: timeShare(b, 'quota'),
      better: 'none',
      show: share,
    },
    {
      label: 'time waiting for rows',
      mine: timeShare(a, 'rows'),
      theirs: timeShare(b, 'rows'),
      better: 'lower',
      show: share,
    },
    { label: 'time writing', mine: timeShare(a, 'write'), theirs: timeShare(b, 'write'), better: 'none', show: share },
  ];
  return rows.map((r) => ({ ...r, mine: numOrNull(r.mine), theirs: numOrNull(r.theirs) }));
}

function change(r: CompareRow): string {
  if (r.mine === null || r.theirs === null) return '<span class="same">–</span>';
  const d = r.mine - r.theirs;
  if (d === 0) return '<span class="same">same</span>';
  const rel = r.theirs !== 0 ? ` (${d > 0 ? '+' : ''}${((d / Math.abs(r.theirs)) * 100).toFixed(1)} %)` : '';
  const good = r.better === 'none' ? null : d < 0 === (r.better === 'lower');
  const cls = good === null ? 'same' : good ? 'down' : 'up';
  const sign = d > 0 ? '+' : '−';
  return `<span class="${cls}">${sign}${esc(r.show(Math.abs(d)))}${rel}</span>`;
}

export function compareSection(a: RunReport, b: RunReport): string {
  const numeric = new Set([1, 2, 3]);
  const rows = compareRows(a, b).map((r) =>
    cells(
      [
        esc(r.label),
        r.mine === null ? '–' : esc(r.show(r.mine)),
        r.theirs === null ? '–' : esc(r.show(r.theirs)),
        change(r),
      ],
      numeric,
    ),
  );
  return table(['', `this run (${a.runId})`, `other (${b.runId})`, 'change'], rows, numeric);
}
