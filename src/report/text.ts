/** Text forms of a report: the one "monitored run" line and the readable summary. */
import type { RunReport } from '../core/report.js';

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** "412 calls (1.03x the lower bound of 400)", or just the calls when the bound is unknown. */
export function formatCallsBound(c: RunReport['calls']): string {
  const spent = num(c.spent) ?? c.total;
  const bound = num(c.lowerBound);
  const ratio = num(c.overLowerBound);
  return bound === null || ratio === null
    ? `${spent} calls`
    : `${spent} calls (${ratio.toFixed(2)}x the lower bound of ${bound})`;
}

/**
 * One line with real values: batches, calls against their lower bound, rows/s, generation time,
 * memory, optimization rate.
 * @example
 * ```ts
 * import { formatRunLine } from 'sluice';
 * console.error(formatRunLine(report)); // run 2026...-48eee7 (daily) succeeded: batches 240/240 done, 240 calls (...)
 * ```
 */
export function formatRunLine(report: RunReport): string {
  const b = report.batches;
  const rowsPerSec = report.wallMs > 0 ? report.rows.fetched / (report.wallMs / 1000) : 0;
  const growth = num(report.memory.growthMb);
  const mem =
    growth === null
      ? 'memory not measured'
      : `memory +${growth.toFixed(1)} MB (peak ${report.memory.peakRssMb.toFixed(1)} MB)`;
  return [
    `run ${report.runId} (${report.job}) ${report.status}:`,
    `batches ${b.done}/${b.total} done${b.failed > 0 ? `, ${b.failed} failed` : ''},`,
    `${formatCallsBound(report.calls)},`,
    `${rowsPerSec.toFixed(0)} rows/s,`,
    `generation ${report.plan.generationMs.toFixed(2)} ms,`,
    `${mem},`,
    `optimization ${report.plan.reductionRate.toFixed(2)}%${coverageText(report)}`,
  ].join(' ');
}

/** `, covered: N days skipped (...)` for a run whose plan skipped days earlier runs landed; '' otherwise. */
export function coverageText(report: RunReport): string {
  const c = report.coverage;
  if (!c) return '';
  if (c.full) return ', --full: whole range fetched';
  if (c.skippedDays === 0) return '';
  const back = c.lookbackDays > 0 ? `, ${c.lookbackDays} looked back` : '';
  return `, covered: ${c.skippedDays} days skipped (${c.skippedBatches} earlier batches), ${c.fetchedDays} fetched${back}`;
}

const RATING_LABEL: Record<string, string> = {
  generationTime: 'generation time',
  memory: 'memory (peak RSS growth)',
  optimizationRate: 'optimization rate',
  callRate: 'API call rate',
  errorRate: 'error rate',
};

/** Target check as one line: "ok", "MISSED" or "not measured". */
export function formatCheck(c: RunReport['targets']['checks'][number]): string {
  const state = c.met === null ? 'not measured' : c.met ? 'ok' : 'MISSED';
  const actual = c.actual === null ? '-' : String(c.actual);
  const unit = c.unit ? ` (${c.unit})` : '';
  return `${c.metric.padEnd(22)} target ${String(c.target).padEnd(8)} actual ${actual.padEnd(12)} ${state}${unit}`;
}

/** Failed calls per API: the most frequent kinds with a count and one example each. */
function errorLines(r: RunReport): string[] {
  const lines: string[] = [];
  for (const a of r.errors ?? []) {
    if (a.failedCalls === 0) continue;
    lines.push(`Errors (${a.api}): ${a.failedCalls} failed calls`);
    for (const k of a.top.slice(0, 3)) lines.push(`  ${k.count} x ${k.example}`);
  }
  return lines;
}

/**
 * The readable summary `sluice report` prints.
 * @example
 * ```ts
 * import { formatSummary } from 'sluice';
 * console.log(formatSummary(report));
 * ```
 */
export function formatSummary(r: RunReport): string {
  if (r.sync) return formatSyncSummary(r);
  const c = r.calls;
  const lines = [
    `Run ${r.runId}  job ${r.job}  ${r.status}`,
    `  ${r.startedAt} -> ${r.finishedAt}  (${(r.wallMs / 1000).toFixed(1)} s)`,
    `Plan: ${r.plan.strategy ?? '?'} strategy, ${r.plan.batchCount} batches, generated in ${r.plan.generationMs.toFixed(2)} ms, ` +
      `reduction ${r.plan.reductionRate.toFixed(2)}%`,
    `Batches: ${r.batches.done} done, ${r.batches.failed} failed of ${r.batches.total}`,
    ...(r.coverage && !r.coverage.full && r.coverage.skippedDays > 0
      ? [
          `Coverage: ${r.coverage.skippedDays} trading days skipped as landed by ${r.coverage.skippedBatches} batches of ${r.coverage.fromRuns} earlier run(s); ` +
            `${r.coverage.fetchedDays} fetched, ${r.coverage.lookbackDays} of them looked back`,
        ]
      : []),
    `Calls: ${c.total} (${c.failed} failed, ${c.retried} retried, ${c.rateLimited} rate-limited), error rate ${(c.errorRate * 100).toFixed(2)}%, ` +
      `${c.callsPerSecond.toFixed(2)} calls/s`,
    `Calls against the lower bound: ${formatCallsBound(c)}` +
      (num(r.analysis.eachValues) === null ? '' : ` over ${r.analysis.eachValues} \`each\` values`) +
      (num(r.analysis.rowCap) === null ? '' : `, row cap ${r.analysis.rowCap}`),
    ...errorLines(r),
    ...(typeof r.error === 'string' ? [`Stopped: ${r.error}`] : []),
    `Latency: avg ${c.avgMs.toFixed(1)} ms, p50 ${c.p50Ms.toFixed(1)} ms, p95 ${c.p95Ms.toFixed(1)} ms, p99 ${c.p99Ms.toFixed(1)} ms`,
    `Rows: ${r.rows.fetched} fetched, ${r.rows.written} written`,
    `Memory: start ${r.memory.startRssMb.toFixed(1)} MB, peak ${r.memory.peakRssMb.toFixed(1)} MB` +
      (num(r.memory.growthMb) === null ? '' : `, growth ${num(r.memory.growthMb)!.toFixed(1)} MB (rated)`) +
      (num(r.memory.rowBudgetWaits)
        ? `; row budget ${String(r.memory.maxRowsHeld)}: ${num(r.memory.rowBudgetWaits)} waits, ${(num(r.memory.rowBudgetWaitMs)! / 1000).toFixed(1)} s`
        : ''),
    `Concurrency: min ${r.concurrency.min}, max ${r.concurrency.max}, final ${r.concurrency.final}`,
    'Ratings:',
    ...Object.entries(r.ratings).map(([k, v]) => `  ${(RATING_LABEL[k] ?? k).padEnd(26)} ${v ?? 'not measured'}`),
    `Targets: ${r.targets.met ? 'met' : 'MISSED'}` +
      (r.targets.met || r.targets.enforced
        ? ''
        : ' (reported only: a miss fails the run when the job sets targets: or --targets is given)'),
    ...r.targets.checks.map((ch) => `  ${formatCheck(ch)}`),
    'Recommendations:',
    ...(r.recommendations.length > 0 ? r.recommendations.map((s) => `  - ${s}`) : ['  none']),
  ];
  return lines.join('\n');
}

/**
 * A sync's report as text: one line per dataset (state, rows, calls, lower bound, ratio, time) and
 * the total; failures named.
 * @example
 * ```ts
 * import { formatSyncSummary } from 'sluice';
 * console.log(formatSyncSummary((await runSync(loadSyncFile('mirror.yaml'))).report));
 * ```
 */
export function formatSyncSummary(r: RunReport): string {
  const s = r.sync;
  const head = [
    `Sync ${r.runId}  ${r.job}  ${r.status}`,
    `  ${r.startedAt} -> ${r.finishedAt}  (${(r.wallMs / 1000).toFixed(1)} s)`,
  ];
  if (!s) return head.join('\n');
  const cols = ['dataset', 'state', 'rows', 'calls', 'lower bound', 'ratio', 'time s'];
  const ratio = (x: number | null) => (x === null ? '-' : x.toFixed(2));
  const body = s.datasets.map((d) => [
    d.name,
    d.state,
    String(d.rows),
    String(d.calls),
    String(d.lowerBound),
    ratio(d.ratio),
    (d.wallMs / 1000).toFixed(1),
  ]);
  const total = [
    'total',
    s.total.failed > 0 ? `${s.total.failed} failed` : 'ok',
    String(s.total.rows),
    String(s.total.calls),
    String(s.total.lowerBound),
    ratio(s.total.ratio),
    (r.wallMs / 1000).toFixed(1),
  ];
  const rows = [cols, ...body, total];
  const widths = cols.map((_c, i) => Math.max(...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    `  ${row.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ')}`;
  const failures = s.datasets.filter((d) => d.error).map((d) => `  ${d.name}: ${d.error}`);
  return [...head, ...rows.map(fmt), ...(failures.length > 0 ? ['Failed:', ...failures] : [])].join('\n');
}
