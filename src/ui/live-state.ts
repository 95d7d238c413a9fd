/**
 * The state of a run in progress, from the same monitor snapshot the final report is built from:
 * the report so far (figures, charts, lanes, errors, ratings and recommendations, by the report
 * room's own rules) and the progress (batches, rows, rate, ETA). At the end the stored report
 * takes its place, so the page's last figures are the report's.
 */
import type { RunReport } from '../core/report.js';
import type { MonitorSnapshot } from '../monitor/run-monitor.js';
import { buildReport } from '../report/build.js';
import { escapeHtml as esc } from '../report/page/assets.js';
import { duration, int } from '../report/page/format.js';
import type { TargetOverrides } from '../report/targets.js';
import type { PlanStatsInput } from '../report/types.js';

/** What the live page knows of a run before it starts. */
export interface LiveRunInfo {
  readonly runId: string;
  readonly job: string;
  /** ISO time. */
  readonly startedAt: string;
  /** Batches this session will run (before splits). */
  readonly total: number;
  readonly plan: PlanStatsInput;
  readonly rowCap?: number;
  readonly concurrencyMax?: number;
  readonly targets?: TargetOverrides;
  /** Whether a missed target fails the run (the job set `targets:` or `--targets` was given). */
  readonly enforceTargets?: boolean;
  /**
   * Whether the job has `each` values: the calls' lower bound needs the rows per value, which the
   * journal gives at the end, so the page shows none until then.
   */
  readonly byEach?: boolean;
}

export interface Progress {
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  readonly rows: number;
  readonly elapsedMs: number;
  /** Calls per second over the last few seconds. */
  readonly recentCallsPerSecond: number;
  /** Batches in flight or waiting to be written. */
  readonly inFlight: number;
  /** null before the first batch ends, and once the run is over. */
  readonly etaMs: number | null;
  readonly finished: boolean;
}

/** The report so far. Its status is not shown: the page shows the live status. */
export function interimReport(
  info: LiveRunInfo,
  snap: MonitorSnapshot,
  total = info.total,
  now = new Date(),
): RunReport {
  return buildReport({
    runId: info.runId,
    job: info.job,
    status: 'succeeded',
    startedAt: info.startedAt,
    finishedAt: now.toISOString(),
    plan: info.plan,
    monitor: snap,
    rowsWritten: snap.rows.committed,
    batches: { total, done: snap.batches.done, failed: snap.batches.failed },
    rowCap: info.rowCap,
    concurrencyMax: info.concurrencyMax,
    targets: info.targets,
    enforceTargets: info.enforceTargets,
    ...(info.byEach ? { landed: { rowsPerValue: [], byEach: true } } : {}),
  });
}

function recentRate(snap: MonitorSnapshot): number {
  const tl = snap.timeline;
  const last = tl.slice(Math.max(0, tl.length - 5));
  if (last.length === 0) return 0;
  const calls = last.reduce((s, p) => s + p.calls, 0);
  const ms = Math.max(1, Math.min(snap.elapsedMs, last.length * snap.bucketMs));
  return calls / (ms / 1000);
}

/** Progress of a running run: `extra` counts batches added by splits. */
export function liveProgress(info: LiveRunInfo, snap: MonitorSnapshot, extra: number): Progress {
  const total = info.total + extra;
  const { done, failed } = snap.batches;
  const ended = done + failed;
  const elapsedMs = snap.elapsedMs;
  return {
    done,
    failed,
    total,
    rows: snap.rows.committed,
    elapsedMs,
    recentCallsPerSecond: recentRate(snap),
    inFlight: snap.slots.current.fetch + snap.slots.current.queued,
    etaMs: ended > 0 && total > ended ? (elapsedMs / ended) * (total - ended) : null,
    finished: false,
  };
}

/** Progress of a finished run, from its stored report. */
export function finalProgress(r: RunReport): Progress {
  return {
    done: r.batches.done,
    failed: r.batches.failed,
    total: r.batches.total,
    rows: r.rows.written,
    elapsedMs: r.wallMs,
    recentCallsPerSecond: r.calls.callsPerSecond,
    inFlight: 0,
    etaMs: null,
    finished: true,
  };
}

function hero(value: string, label: string, figure: string): string {
  return `<div><b data-figure="${figure}">${esc(value)}</b><span>${esc(label)}</span></div>`;
}

/** The progress block: a bar, then the figures people look for first. */
export function progressHtml(p: Progress): string {
  const share = p.total > 0 ? Math.min(1, (p.done + p.failed) / p.total) : p.finished ? 1 : 0;
  const doneW = p.total > 0 ? (p.done / p.total) * 100 : share * 100;
  const failW = p.total > 0 ? (p.failed / p.total) * 100 : 0;
  const rate = p.recentCallsPerSecond.toFixed(p.recentCallsPerSecond < 10 ? 1 : 0);
  return (
    `<div class="progress"><div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(share * 100)}">` +
    `<span class="done" style="width:${doneW.toFixed(2)}%"></span><span class="fail" style="width:${failW.toFixed(2)}%"></span></div>` +
    `<div class="hero">${[
      hero(`${Math.floor(share * 100)} %`, p.finished ? 'finished' : 'of the batches ended', 'progress'),
      hero(
        `${int(p.done)} / ${int(p.total)}`,
        p.failed > 0 ? `batches done · ${int(p.failed)} failed` : 'batches done',
        'done',
      ),
      hero(int(p.rows), 'rows written', 'rows-live'),
      hero(`${rate}/s`, p.finished ? 'calls per second, whole run' : 'calls per second, last seconds', 'rate'),
      hero(
        p.finished ? duration(p.elapsedMs) : p.etaMs === null ? '…' : duration(p.etaMs),
        p.finished ? 'wall time' : `left · ${duration(p.elapsedMs)} so far · ${int(p.inFlight)} in flight`,
        'eta',
      ),
    ].join('')}</div></div>`
  );
}
