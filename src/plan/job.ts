/**
 * The job-facing planner: a PlanSpec in, windows + batches + stats out; and splitting a batch whose
 * window returned too many rows.
 */
import { performance } from 'node:perf_hooks';
import { type DayRange, detectFormat, formatDay, parseDay, parseRange } from '../core/dates.js';
import { DEFAULTS } from '../core/defaults.js';
import { usageError } from '../core/errors.js';
import type { Batch, Window } from '../core/types.js';
import type { Calendar } from './calendar.js';
import type { Density } from './density.js';
import { formatDayFast } from './format.js';
import { paramsMaker } from './params-maker.js';
import { batchKey, batchKeyPrefix, windowKey } from './keys.js';
import { distinct } from './partition.js';
import { clipRanges } from './coverage.js';
import { type PlanStats, planStats } from './stats.js';
import { parseFrequency, parseStrategy, windowsFor } from './strategy.js';
import { type AutoSettings, type AutoStream, AutoPlanner, simulateAuto } from './auto.js';
import { type OnlineSpec, autoBatch } from './auto-batches.js';
import { weekdayCalendar } from './calendar.js';

/**
 * What to plan: a date range, how to cut it, and the request parameters of each batch.
 * @example
 * ```ts
 * const spec: PlanSpec = {
 *   start: '20100101',
 *   end: 'today',
 *   strategy: 'rows', // windows sized to the row cap, from a density
 *   density: constantDensity(5000),
 *   rowCap: 6000,
 *   maxOffset: 100000,
 *   each: { param: 'ts_code', values: ['000001.SZ', '600000.SH'] },
 * };
 * ```
 */
export interface PlanSpec {
  /** 'YYYYMMDD' | 'YYYY-MM-DD'; batches and windows answer in the start's format. */
  readonly start: string;
  /** Same formats, or 'today' (UTC). */
  readonly end: string;
  /** auto | smart | guide | day | week | month | quarter | half | year | days:N | rows. @default 'auto' */
  readonly strategy?: string;
  /** For `guide`. @default 'daily' */
  readonly frequency?: 'daily' | 'monthly';
  /** Counts trading days for the baseline; the density should be built on the same calendar. */
  readonly calendar?: Calendar;
  /** Rows per day; required by `rows`, and fills estimatedRows/estimatedCalls for any strategy. */
  readonly density?: Density;
  /** Rows one call returns at most; required by `rows`. */
  readonly rowCap?: number;
  /**
   * Largest offset the API pages to (Tushare: 100000); a window may then hold the last page offset
   * <= maxOffset, plus rowCap, rows.
   */
  readonly maxOffset?: number;
  /** Request parameter names for the window. @default { start: 'start_date', end: 'end_date' } */
  readonly dateParams?: { readonly start: string; readonly end: string };
  /** Cross product dimension: one batch per window and value (duplicates are dropped). */
  readonly each?: { readonly param: string; readonly values: readonly string[] };
  /** Fixed parameters merged into every batch (date and `each` params win on a clash). */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * Plan only these days, per `each` value (key '' when there is no `each`): what an incremental
   * run still has to fetch (plan/coverage.ts `runCoverage`). Ranges are clipped to [start, end];
   * a value without ranges gets no batch. Left out: the whole range for every value.
   */
  readonly todo?: ReadonlyMap<string, readonly DayRange[]>;
  /** For `auto`: batches the run keeps in flight. @default DEFAULTS.executor.concurrency */
  readonly concurrency?: number;
  /** For `auto`: most rows the run holds (0 = no limit). @default DEFAULTS.executor.maxRowsHeld */
  readonly maxRowsHeld?: number;
}

/**
 * A plan: its windows, the batches to run (stable keys), and its statistics.
 * @example
 * ```ts
 * const plan: Plan = planJob({ start: '2024-01-01', end: 'today', strategy: 'month' });
 * for (const batch of plan.batches) console.log(batch.key, batch.params);
 * ```
 */
export interface Plan {
  readonly strategy: string;
  /** What the strategy resolved to (e.g. smart -> `quarter`). */
  readonly resolved: string;
  readonly start: string;
  readonly end: string;
  readonly windows: Window[];
  /** Estimated rows of each window (same order), when a density was given. */
  readonly windowRows?: number[];
  readonly batches: Batch[];
  readonly stats: PlanStats;
  /**
   * `auto`: the plan is made online, as the run goes; `windows` and `batches` are what it starts
   * with, and a run plans the rest from the rows they return.
   */
  readonly online?: OnlineSpec;
  /** `auto` with a density: what the online plan would spend if the density were exact. */
  readonly simulated?: { readonly batches: number; readonly rows: number; readonly calls: number };
}

/** Names used in error messages; the CLI passes its flag names. */
export interface SpecLabels {
  readonly start: string;
  readonly end: string;
  readonly strategy: string;
  readonly frequency: string;
  readonly rowCap: string;
  readonly maxOffset: string;
}

const SPEC_LABELS: SpecLabels = {
  start: 'start',
  end: 'end',
  strategy: 'strategy',
  frequency: 'frequency',
  rowCap: 'rowCap',
  maxOffset: 'maxOffset',
};
const DATE_PARAMS = DEFAULTS.plan.dateParams;

function checkInt(label: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) {
    throw usageError(`${label}: expected a whole number >= ${min}, got ${JSON.stringify(v)}`);
  }
}

/**
 * Plan a job: windows, batches with stable unique keys, exact stats.
 * @example
 * ```ts
 * import { planJob } from 'sluice';
 * const plan = planJob({ start: '20200101', end: '20241231', strategy: 'quarter' });
 * plan.windows.length; // 20
 * plan.stats.reductionRate; // percent fewer batches than one per day
 * ```
 */
export function planJob(spec: PlanSpec, labels: SpecLabels = SPEC_LABELS): Plan {
  const t0 = performance.now();
  const range = parseRange(spec.start, spec.end, { start: labels.start, end: labels.end });
  const strategy = parseStrategy(spec.strategy, labels.strategy);
  const frequency = parseFrequency(spec.frequency, labels.frequency);
  checkInt(labels.rowCap, spec.rowCap, 1);
  checkInt(labels.maxOffset, spec.maxOffset, 0);
  if (spec.maxOffset !== undefined && spec.rowCap === undefined)
    throw usageError(`${labels.maxOffset}: needs ${labels.rowCap} (the page size)`);
  const budget = spec.rowCap === undefined ? undefined : { rowCap: spec.rowCap, maxOffset: spec.maxOffset };
  if (strategy.kind === 'auto' && spec.rowCap !== undefined) return planAuto(spec, range, spec.rowCap, t0);
  const values = spec.each ? eachValues(spec.each) : undefined;
  const parts: { windows: Window[]; batches: Batch[] }[] = [];
  const days: DayRange[] = [];
  const valueCounts: number[] = [];
  const resolved = new Set<string>();
  let rows: number[] | undefined = spec.density ? [] : undefined;
  let oversized = 0;
  for (const group of groupsOf(range, spec.todo, values)) {
    for (const part of group.ranges) {
      const result = windowsFor(part, strategy, { frequency, density: spec.density, budget });
      resolved.add(result.resolved);
      oversized += result.oversized ?? 0;
      const partRows = result.rows ?? (spec.density ? windowRows(result.windows, spec.density) : undefined);
      if (rows && partRows) for (const n of partRows) rows.push(n);
      else rows = undefined;
      const built = buildBatches(result.windows, range, spec, group.values);
      parts.push(built);
      for (const w of result.windows) {
        days.push(w);
        valueCounts.push(group.values ? group.values.length : 1);
      }
    }
  }
  // one part (a plan without `todo`): its arrays as they are, no copy
  const windows = parts.length === 1 ? parts[0].windows : parts.flatMap((p) => p.windows);
  const batches = parts.length === 1 ? parts[0].batches : parts.flatMap((p) => p.batches);
  const stats = planStats({
    range,
    windows: days,
    valuesPerWindow: spec.todo ? valueCounts : values ? values.length : 1,
    values: values ? values.length : 1,
    calendar: spec.calendar,
    rows,
    rowCap: spec.rowCap,
    oversized,
    generationMs: performance.now() - t0,
  });
  return {
    strategy: spec.strategy ?? DEFAULTS.plan.strategy,
    resolved: resolved.size === 0 ? 'none' : [...resolved].join('+'),
    start: formatDay(range.start, range.format),
    end: formatDay(range.end, range.format),
    windows,
    windowRows: rows,
    batches,
    stats,
  };
}

/** `auto`: the windows the online planner starts with, and what a run needs to plan the rest. */
function planAuto(
  spec: PlanSpec,
  range: DayRange & { format: 'compact' | 'dashed' },
  rowCap: number,
  t0: number,
): Plan {
  const values = spec.each ? eachValues(spec.each) : undefined;
  // an incremental run's days still to fetch per value (`todo`), else the whole range
  const whole = [{ start: range.start, end: range.end }];
  const todo = spec.todo;
  const rangesOf = (value: string | undefined) => (todo ? clipRanges(todo.get(value ?? '') ?? [], range) : whole);
  const streams: AutoStream[] = values
    ? values.map((value) => ({ value, ranges: rangesOf(value) }))
    : [{ ranges: rangesOf(undefined) }];
  const calendar = spec.calendar ?? weekdayCalendar;
  // a given or learned density (per `each` value, as for every strategy) spares the probe
  const density = spec.density;
  const prior = density
    ? (r: DayRange): number => {
        let sum = 0;
        for (let d = r.start; d <= r.end; d++) sum += density.rowsOn(d);
        return sum;
      }
    : undefined;
  const online: OnlineSpec = {
    range: { start: range.start, end: range.end },
    streams,
    param: spec.each?.param,
    format: range.format,
    dateParams: spec.dateParams ?? DATE_PARAMS,
    params: spec.params ?? {},
    rowCap,
    maxOffset: spec.maxOffset,
    calendar,
    prior,
  };
  const settings: AutoSettings = {
    rowCap,
    maxOffset: spec.maxOffset,
    calendar,
    concurrency: spec.concurrency ?? DEFAULTS.executor.concurrency,
    maxRowsHeld: spec.maxRowsHeld ?? DEFAULTS.executor.maxRowsHeld,
    prior,
  };
  const planner = new AutoPlanner(streams, settings);
  const days: DayRange[] = [];
  const batches: Batch[] = [];
  // what starts at once: until the planner needs an outcome, at most `concurrency` windows
  for (let w = planner.next(); typeof w === 'object'; w = planner.next()) {
    days.push(w.range);
    batches.push(autoBatch(online, w.stream, w.range));
    if (batches.length >= settings.concurrency) break;
  }
  let simulated: Plan['simulated'];
  if (prior) {
    const sim = simulateAuto(streams, settings, (_, r) => Math.round(prior(r)));
    simulated = { batches: sim.windows.length, rows: sim.rows.reduce((a, b) => a + b, 0), calls: sim.calls };
  }
  const windows: Window[] = batches.map((b) => b.window as Window);
  const stats = planStats({
    range,
    windows: days,
    calendar: spec.calendar,
    rowCap,
    generationMs: performance.now() - t0,
  });
  return {
    strategy: spec.strategy ?? DEFAULTS.plan.strategy,
    resolved: 'online',
    start: formatDay(range.start, range.format),
    end: formatDay(range.end, range.format),
    windows,
    batches,
    stats,
    online,
    simulated,
  };
}

function windowRows(windows: readonly DayRange[], density: Density): number[] {
  return windows.map((w) => {
    let sum = 0;
    for (let d = w.start; d <= w.end; d++) sum += density.rowsOn(d);
    return sum;
  });
}

/**
 * The day ranges a spec asks to plan, per `each` value ('' when there is none): `todo` clipped to
 * [start, end], or the whole range for every value without it. What a planner cuts into windows.
 * @example
 * ```ts
 * for (const [value, ranges] of plannedRanges(spec)) console.log(value || '(all)', ranges.length);
 * ```
 */
export function plannedRanges(spec: PlanSpec): Map<string, DayRange[]> {
  const { start, end } = parseRange(spec.start, spec.end);
  const range = { start, end };
  const values = spec.each ? eachValues(spec.each) : [''];
  return new Map(values.map((v) => [v, spec.todo ? clipRanges(spec.todo.get(v) ?? [], range) : [range]]));
}

/**
 * The day ranges to plan and the values each applies to: the whole range for every value, or with
 * `todo`, each value's own ranges (values with the same ranges planned together).
 */
function groupsOf(
  range: DayRange,
  todo: PlanSpec['todo'],
  values: string[] | undefined,
): { ranges: DayRange[]; values: string[] | undefined }[] {
  if (!todo) return [{ ranges: [range], values }];
  if (!values) return [{ ranges: clipRanges(todo.get('') ?? [], range), values: undefined }];
  const groups = new Map<string, { ranges: DayRange[]; values: string[] }>();
  for (const v of values) {
    const ranges = clipRanges(todo.get(v) ?? [], range);
    if (ranges.length === 0) continue;
    const sig = ranges.map((r) => `${r.start}-${r.end}`).join(',');
    const g = groups.get(sig);
    if (g) g.values.push(v);
    else groups.set(sig, { ranges, values: [v] });
  }
  return [...groups.values()];
}

function eachValues(each: NonNullable<PlanSpec['each']>): string[] {
  if (typeof each.param !== 'string' || each.param === '') throw usageError('each.param: expected a parameter name');
  if (!Array.isArray(each.values)) throw usageError('each.values: expected a list of values');
  return distinct(each.values.map(String));
}

function buildBatches(
  days: readonly DayRange[],
  range: { format: 'compact' | 'dashed' },
  spec: PlanSpec,
  values: string[] | undefined,
): { windows: Window[]; batches: Batch[] } {
  const dp = spec.dateParams ?? DATE_PARAMS;
  const fixed = spec.params ?? {};
  const param = spec.each?.param;
  // Key order: fixed params, then the date params, then the `each` param; later ones win a clash.
  const fixedKeys = Object.keys(fixed).filter((k) => k !== dp.start && k !== dp.end && k !== param);
  const baseKeys = [...new Set([...fixedKeys, dp.start, dp.end])].filter((k) => k !== param);
  const make = param === undefined ? undefined : paramsMaker(baseKeys, param);
  const windows: Window[] = new Array(days.length);
  const batches: Batch[] = new Array(days.length * (values ? values.length : 1));
  let b = 0;
  for (let i = 0; i < days.length; i++) {
    const d = days[i];
    const startText = formatDayFast(d.start, range.format);
    const win: Window = { start: startText, end: d.end === d.start ? startText : formatDayFast(d.end, range.format) };
    windows[i] = win;
    const key = range.format === 'compact' ? `${win.start}-${win.end}` : windowKey(d);
    if (!values || !make || param === undefined) {
      const params: Record<string, unknown> = Object.assign({}, fixed);
      params[dp.start] = win.start;
      params[dp.end] = win.end;
      batches[b++] = { key, params, window: win };
      continue;
    }
    // Hot loop (windows x values): one key string, one params object, one batch object each.
    const base = baseKeys.map((k) => (k === dp.start ? win.start : k === dp.end ? win.end : fixed[k]));
    const prefix = batchKeyPrefix(key, param);
    for (let v = 0; v < values.length; v++) {
      const value = values[v];
      batches[b++] = { key: prefix + value, params: make(base, value), window: win };
    }
  }
  return { windows, batches };
}

/**
 * Halve a batch's window (left half gets the middle day): the children keep every other param and
 * are keyed like planned batches, so a split batch resumes under stable keys. Undefined for a
 * one-day window or a batch without a window.
 */
export function splitBatch(batch: Batch, spec: Pick<PlanSpec, 'dateParams' | 'each'> = {}): [Batch, Batch] | undefined {
  const dp = spec.dateParams ?? DATE_PARAMS;
  const window = batch.window ?? windowFromParams(batch.params, dp);
  if (!window) return undefined;
  const start = parseDay(window.start, `batch ${batch.key} window start`);
  const end = parseDay(window.end, `batch ${batch.key} window end`);
  if (end <= start) return undefined;
  const format = detectFormat(window.start) ?? 'compact';
  const mid = start + Math.floor((end - start) / 2);
  const raw = spec.each ? batch.params[spec.each.param] : undefined;
  const each = spec.each && raw !== undefined ? { param: spec.each.param, value: String(raw) } : undefined;
  const child = (d: DayRange): Batch => {
    const win: Window = { start: formatDay(d.start, format), end: formatDay(d.end, format) };
    return {
      key: batchKey(d, each),
      params: { ...batch.params, [dp.start]: win.start, [dp.end]: win.end },
      window: win,
    };
  };
  return [child({ start, end: mid }), child({ start: mid + 1, end })];
}

function windowFromParams(
  params: Readonly<Record<string, unknown>>,
  dp: { start: string; end: string },
): Window | undefined {
  const s = params[dp.start];
  const e = params[dp.end];
  return typeof s === 'string' && typeof e === 'string' ? { start: s, end: e } : undefined;
}
