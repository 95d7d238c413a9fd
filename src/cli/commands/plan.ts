/**
 * `sluice plan`: show the windows a strategy makes for a range, and what they cost.
 */
import type { Command } from 'commander';
import { parseDay } from '../../core/dates.js';
import { usageError } from '../../core/errors.js';
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
import { action, intFlag, printJson } from '../util.js';

interface PlanFlags {
  start: string;
  end: string;
  strategy?: string;
  frequency?: string;
  rowsPerDay?: string;
  density?: string;
  rowCap?: string;
  maxOffset?: string;
  calendar?: string;
  json?: boolean;
}

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

export function runPlan(flags: PlanFlags): Plan {
  if (flags.rowsPerDay !== undefined && flags.density !== undefined) {
    throw usageError('--rows-per-day and --density: give one of them, not both');
  }
  const rowsPerDay = rowsPerDayFlag(flags.rowsPerDay);
  const rowCap = intFlag('--row-cap', flags.rowCap);
  const maxOffset = intFlag('--max-offset', flags.maxOffset, { min: 0 });
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

function printTable(plan: Plan, rowCap: number | undefined): void {
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
  out.push(
    `batches         ${s.batchCount} vs ${s.baselineBatches} ${s.baselineUnit === 'days' ? 'daily' : 'trading-day'} batches: ${s.reductionRate}% fewer`,
  );
  out.push(`batches/day     ${s.batchesPerDay}`);
  const d = s.batchSizes;
  out.push(`batch size      min ${d.min}, max ${d.max}, avg ${d.avg}, variance ${d.variance} (${s.sizeUnit})`);
  if (s.estimatedRows !== null) out.push(`estimated rows  ${s.estimatedRows}`);
  if (s.estimatedCalls !== null) out.push(`estimated calls ${s.estimatedCalls}`);
  if (s.oversizedWindows > 0)
    out.push(`oversized       ${s.oversizedWindows} window(s) hold a single day over the row budget`);
  out.push(`generated in    ${s.generationMs} ms`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('Plan the date windows for a range and show what they cost (no network).')
    .requiredOption('--start <date>', 'first day, YYYYMMDD or YYYY-MM-DD')
    .requiredOption('--end <date>', 'last day (inclusive), same formats, or "today"')
    .option('--strategy <name>', `one of ${STRATEGY_NAMES.join(', ')}`, 'smart')
    .option('--frequency <f>', 'for --strategy guide: daily or monthly', 'daily')
    .option('--rows-per-day <n>', 'estimated rows per trading day (enables row estimates and --strategy rows)')
    .option('--density <file>', 'per-day row counts (CSV date,rows or JSON)')
    .option('--row-cap <n>', 'rows one call returns at most (page size)')
    .option('--max-offset <n>', 'largest offset the API pages to (Tushare: 100000)')
    .option('--calendar <file>', 'trading calendar: one open date per line, or trade_cal CSV/JSON (cal_date,is_open)')
    .option('--json', 'print the plan as one JSON document')
    .action(
      action(async (flags: PlanFlags) => {
        const plan = runPlan(flags);
        if (flags.json) {
          const { strategy, resolved, start, end, windows, stats } = plan;
          printJson({ strategy, resolved, start, end, windows, stats });
        } else {
          printTable(plan, flags.rowCap === undefined ? undefined : Number(flags.rowCap));
        }
      }),
    );
}
