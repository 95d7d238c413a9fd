/**
 * `sluice plan`: show the windows a strategy makes for a range, and what they cost. With a job
 * file, exactly the plan `sluice run JOB` would make (the same resolveRun/planRun, nothing written).
 */
import type { Command } from 'commander';
import { DEFAULTS } from '../../core/defaults.js';
import { parseDay } from '../../core/dates.js';
import { usageError } from '../../core/errors.js';
import type { CoverageReport } from '../../core/report.js';
import { loadJobFile } from '../../job/load.js';
import { baseDirOf } from '../../job/parts.js';
import { type PlannedRun, planRun, resolveRun } from '../../job/resolve.js';
import {
  type Density,
  type Plan,
  STRATEGY_NAMES,
  callsFor,
  constantDensity,
  loadCalendar,
  loadDensity,
  planJob,
  weekdayCalendar,
} from '../../plan/index.js';
import { printText } from '../../core/log.js';
import { action, intFlag, printJson, printLine } from '../util.js';

interface PlanFlags {
  start?: string;
  end?: string;
  strategy?: string;
  frequency?: string;
  rowsPerDay?: string;
  density?: string;
  rowCap?: string;
  maxOffset?: string;
  calendar?: string;
  json?: boolean;
  db?: string;
  full?: boolean;
}

/** Flags of the range form; a job file brings its own. */
const RANGE_FLAGS = [
  'start',
  'end',
  'strategy',
  'frequency',
  'rowsPerDay',
  'density',
  'rowCap',
  'maxOffset',
  'calendar',
];
const FLAG_NAMES: Record<string, string> = { rowsPerDay: 'rows-per-day', rowCap: 'row-cap', maxOffset: 'max-offset' };

const LABELS = {
  start: '--start',
  end: '--end',
  strategy: '--strategy',
  frequency: '--frequency',
  rowCap: '--row-cap',
  maxOffset: '--max-offset',
};

function rowsPerDayFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw usageError(`--rows-per-day: expected a number >= 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * The range form. Like a Tushare job, a plan with a row cap pages up to Tushare's offset limit
 * (100,000) unless `--max-offset` says otherwise (`--max-offset 0`: one call per window).
 */
export function runPlan(flags: PlanFlags): Plan {
  if (flags.start === undefined || flags.end === undefined) {
    throw usageError('--start and --end: both required (or give a job file: sluice plan JOB)');
  }
  if (flags.rowsPerDay !== undefined && flags.density !== undefined) {
    throw usageError('--rows-per-day and --density: give one of them, not both');
  }
  const rowsPerDay = rowsPerDayFlag(flags.rowsPerDay);
  const rowCap = intFlag('--row-cap', flags.rowCap);
  const maxOffset =
    intFlag('--max-offset', flags.maxOffset, { min: 0 }) ??
    (rowCap === undefined ? undefined : DEFAULTS.tushare.maxOffset);
  const calendar = flags.calendar === undefined ? undefined : loadCalendar(flags.calendar, '--calendar');
  let density: Density | undefined;
  if (rowsPerDay !== undefined) density = constantDensity(rowsPerDay, calendar ?? weekdayCalendar);
  if (flags.density !== undefined) density = loadDensity(flags.density, calendar ?? weekdayCalendar, '--density');
  return planJob(
    {
      start: flags.start,
      end: flags.end,
      strategy: flags.strategy,
      frequency: flags.frequency as 'daily' | 'monthly' | undefined,
      calendar,
      density,
      rowCap,
      maxOffset,
    },
    LABELS,
  );
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/** The job form: the plan `sluice run JOB [--db X]` would make. */
export async function planJobFile(path: string, flags: PlanFlags): Promise<PlannedRun> {
  const given = RANGE_FLAGS.filter((f) => flags[f as keyof PlanFlags] !== undefined);
  if (given.length > 0) {
    const names = given.map((f) => `--${FLAG_NAMES[f] ?? f}`).join(', ');
    throw usageError(`${names}: not with a job file (the job's plan section says it)`);
  }
  const { job } = loadJobFile(path);
  return planRun(resolveRun(job, { baseDir: baseDirOf(path), db: flags.db }), { full: flags.full });
}

/** What `sluice plan JOB` says about the days earlier runs covered. */
function coverageLines(c: CoverageReport): string[] {
  if (c.full) return ['coverage        --full: the whole range, whatever earlier runs covered'];
  if (c.skippedDays === 0) return ['coverage        nothing covered by earlier runs: the whole range'];
  return [
    `skipped         ${c.skippedDays} trading days already landed (${c.skippedBatches} done batches of ${c.fromRuns} earlier run(s))`,
    `fetched         ${c.fetchedDays} trading days${c.lookbackDays > 0 ? `, ${c.lookbackDays} of them looked back again (plan.lookback)` : ''}`,
  ];
}

function printTable(plan: Plan, rowCap: number | undefined, coverage?: CoverageReport): void {
  const hasRows = plan.stats.sizeUnit === 'rows';
  const out: string[] = [];
  const dateWidth = plan.start.length;
  out.push(
    `${pad('#', 6)}  ${'start'.padEnd(dateWidth)}  ${'end'.padEnd(dateWidth)}  ${pad('days', 6)}${hasRows ? `  ${pad('est. rows', 12)}${rowCap ? `  ${pad('calls', 6)}` : ''}` : ''}`,
  );
  const sizes = hasRows ? plan.windowRows : undefined;
  plan.windows.forEach((w, i) => {
    const days = parseDay(w.end) - parseDay(w.start) + 1;
    let line = `${pad(i + 1, 6)}  ${w.start}  ${w.end}  ${pad(days, 6)}`;
    if (sizes) {
      line += `  ${pad(Math.round(sizes[i]), 12)}`;
      if (rowCap) line += `  ${pad(callsFor(sizes[i], rowCap), 6)}`;
    }
    out.push(line);
  });
  const s = plan.stats;
  const strategy = plan.resolved === plan.strategy ? plan.strategy : `${plan.strategy} (${plan.resolved})`;
  out.push('');
  out.push(`strategy        ${strategy}`);
  out.push(`range           ${plan.start} .. ${plan.end} (${s.timeSpanDays} days)`);
  if (plan.online) out.push(`batches         ${s.batchCount} to start with (online)`);
  else
    out.push(
      `batches         ${s.batchCount} vs ${s.baselineBatches} ${s.baselineUnit === 'days' ? 'daily' : 'trading-day'} batches: ${s.reductionRate}% fewer`,
    );
  if (plan.batches.length !== plan.windows.length) {
    const values = plan.batches.length / Math.max(1, plan.windows.length);
    out.push(
      Number.isInteger(values)
        ? `requests        ${plan.batches.length} batches: ${plan.windows.length} windows x ${values} values`
        : `requests        ${plan.batches.length} batches over ${plan.windows.length} windows (values need different days)`,
    );
  }
  out.push(`batches/day     ${s.batchesPerDay}`);
  const d = s.batchSizes;
  out.push(`batch size      min ${d.min}, max ${d.max}, avg ${d.avg}, variance ${d.variance} (${s.sizeUnit})`);
  if (s.estimatedRows !== null) out.push(`estimated rows  ${s.estimatedRows}`);
  if (s.estimatedCalls !== null) out.push(`estimated calls ${s.estimatedCalls}`);
  if (s.oversizedWindows > 0)
    out.push(`oversized       ${s.oversizedWindows} window(s) hold a single day over the row budget`);
  if (coverage) out.push(...coverageLines(coverage));
  out.push(`generated in    ${s.generationMs} ms`);
  if (plan.online) out.push(...onlineLines(plan));
  printText(out.join('\n'));
}

/** What an online (auto) plan is: the windows above are only where it starts. */
function onlineLines(plan: Plan): string[] {
  const streams = plan.online?.streams.length ?? 0;
  const lines = [
    '',
    `online          the windows above are where the run starts: the rest of the ${streams === 1 ? 'range' : `ranges of ${streams} values`}`,
    '                is planned as it goes, sized by the rows the finished windows return',
  ];
  const sim = plan.simulated;
  if (sim)
    lines.push(
      `estimate        ${sim.batches} batches, ${sim.rows} rows, ${sim.calls} calls (if the density is exact)`,
    );
  else
    lines.push(
      'estimate        none: no density is known before the first window returns (--rows-per-day N gives one)',
    );
  return lines;
}

function onlineJson(plan: Plan): Record<string, unknown> {
  if (!plan.online) return {};
  return { online: true, values: plan.online.streams.length, ...(plan.simulated ? { simulated: plan.simulated } : {}) };
}

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'Plan the date windows for a range, or exactly what `sluice run JOB` would plan, and show what they cost (no network).',
    )
    .argument('[job]', 'job file (YAML or JSON): plan as `sluice run JOB` would; reads, never writes, its database')
    .option('--start <date>', 'first day, YYYYMMDD or YYYY-MM-DD')
    .option('--end <date>', 'last day (inclusive), same formats, or "today"')
    .option('--strategy <name>', `one of ${STRATEGY_NAMES.join(', ')} (default ${DEFAULTS.plan.strategy})`)
    .option('--frequency <f>', `for --strategy guide: daily or monthly (default ${DEFAULTS.plan.frequency})`)
    .option('--rows-per-day <n>', 'estimated rows per trading day (enables row estimates and --strategy rows)')
    .option('--density <file>', 'per-day row counts (CSV date,rows or JSON)')
    .option('--row-cap <n>', 'rows one call returns at most (page size)')
    .option(
      '--max-offset <n>',
      `largest offset the API pages to (default with --row-cap: Tushare's ${DEFAULTS.tushare.maxOffset}; 0: one call per window)`,
    )
    .option('--calendar <file>', 'trading calendar: one open date per line, or trade_cal CSV/JSON (cal_date,is_open)')
    .option('--json', 'print the plan as one JSON document')
    .option('--db <path>', "with a job file: its database, as `sluice run JOB --db` (overrides the job's sink)")
    .option(
      '--full',
      'with a job file: plan the whole range, as `sluice run JOB --full` (ignore what earlier runs covered)',
    )
    .action(
      action(async (jobPath: string | undefined, flags: PlanFlags) => {
        if (jobPath === undefined) {
          if (flags.db !== undefined) throw usageError('--db: only with a job file');
          if (flags.full) throw usageError('--full: only with a job file');
          const plan = runPlan(flags);
          if (flags.json) {
            const { strategy, resolved, start, end, windows, stats } = plan;
            printJson({ strategy, resolved, start, end, windows, stats, ...onlineJson(plan) });
          } else {
            printTable(plan, flags.rowCap === undefined ? undefined : Number(flags.rowCap));
          }
          return;
        }
        const { plan, spec, learnedFrom, coverage } = await planJobFile(jobPath, flags);
        if (learnedFrom > 0) printLine(`sluice: row density learned from ${learnedFrom} batches of earlier runs`);
        if (flags.json) {
          const { strategy, resolved, start, end, windows, batches, stats } = plan;
          printJson({ strategy, resolved, start, end, windows, batches, stats, coverage, ...onlineJson(plan) });
        } else {
          printTable(plan, spec.rowCap, coverage);
        }
      }),
    );
}
