/**
 * The auto strategy as a run sees it: an async iterable of batches that the executor reads lazily,
 * told what became of each batch so the windows still to come follow the rows that came back.
 * A batch is handed over only after `onPlanned` returns (the job runner records it in the journal
 * there), so --resume knows every batch that may have run.
 */
import { type DateFormat, type DayRange, parseDay } from '../core/dates.js';
import type { Batch } from '../core/types.js';
import { AutoPlanner, type AutoSettings, type AutoStream } from './auto.js';
import type { Calendar } from './calendar.js';
import { formatDayFast } from './format.js';
import { type PlanStats, planStats } from './stats.js';
import { batchKey } from './keys.js';

/**
 * What `planJob` hands a run for `strategy: auto`: the streams to cover and how to make batches.
 * @example
 * ```ts
 * const plan = planJob({ start: '20190101', end: '20201231', rowCap: 6000, maxOffset: 100000 });
 * plan.online?.streams.length; // 1 (no `each`)
 * ```
 */
export interface OnlineSpec {
  /** The job's whole range (the plan statistics' span). */
  readonly range: DayRange;
  readonly streams: readonly AutoStream[];
  /** The `each` parameter, when streams are its values. */
  readonly param?: string;
  readonly format: DateFormat;
  readonly dateParams: { readonly start: string; readonly end: string };
  readonly params: Readonly<Record<string, unknown>>;
  readonly rowCap: number;
  readonly maxOffset?: number;
  readonly calendar: Calendar;
  /** Expected rows of one stream over a range, from a given or learned density (no probe then). */
  readonly prior?: (range: DayRange) => number;
}

/** What a batch became, as the job runner sees it (an engine outcome). */
export type BatchFeedback =
  | { readonly status: 'done'; readonly batch: Batch; readonly rows: number }
  | { readonly status: 'failed'; readonly batch: Batch }
  | { readonly status: 'split'; readonly batch: Batch; readonly children: readonly Batch[] };

/** The batch of one window of one stream, keyed and shaped like planned batches. */
export function autoBatch(spec: OnlineSpec, stream: number, range: DayRange): Batch {
  const start = formatDayFast(range.start, spec.format);
  const end = range.end === range.start ? start : formatDayFast(range.end, spec.format);
  const value = spec.streams[stream]?.value;
  const each = spec.param !== undefined && value !== undefined ? { param: spec.param, value } : undefined;
  const params: Record<string, unknown> = { ...spec.params };
  delete params[spec.dateParams.start];
  delete params[spec.dateParams.end];
  if (each) delete params[each.param];
  params[spec.dateParams.start] = start;
  params[spec.dateParams.end] = end;
  if (each) params[each.param] = each.value;
  return { key: batchKey(range, each), params, window: { start, end } };
}

/**
 * A resumed run's streams: the days no batch of the run covers (split parents excepted: their
 * children cover them).
 */
export function restOfRun(
  spec: OnlineSpec,
  records: readonly { readonly batch: Batch; readonly status: string }[],
): OnlineSpec {
  const covered = new Map<string | undefined, DayRange[]>();
  for (const r of records) {
    const win = r.batch.window;
    if (r.status === 'split' || !win) continue;
    const value = spec.param === undefined ? undefined : String(r.batch.params[spec.param]);
    let list = covered.get(value);
    if (!list) covered.set(value, (list = []));
    list.push({ start: parseDay(win.start), end: parseDay(win.end) });
  }
  const streams = spec.streams.map((s) => ({
    value: s.value,
    ranges: uncovered(s.ranges, covered.get(s.value) ?? []),
  }));
  return { ...spec, streams };
}

/** Days of `ranges` that no range of `covered` holds, as ascending disjoint ranges. */
export function uncovered(ranges: readonly DayRange[], covered: readonly DayRange[]): DayRange[] {
  const cuts = [...covered].sort((a, b) => a.start - b.start);
  const out: DayRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    let from = r.start;
    for (const c of cuts) {
      if (c.end < from || c.start > r.end) continue;
      if (c.start > from) out.push({ start: from, end: c.start - 1 });
      from = Math.max(from, c.end + 1);
      if (from > r.end) break;
    }
    if (from <= r.end) out.push({ start: from, end: r.end });
  }
  return out;
}

/**
 * The batches of an auto run, planned as the run goes.
 * @example
 * ```ts
 * const online = new OnlineBatches(plan.online!, { concurrency: 4, maxRowsHeld: 50000 });
 * for await (const o of engine.run({ runId, batches: online, signal, events })) online.observe(o);
 * ```
 */
export class OnlineBatches implements AsyncIterable<Batch> {
  readonly planner: AutoPlanner;
  private readonly issued = new Set<string>();
  private readonly streamIndex = new Map<string, number>();
  private wake: (() => void) | undefined;
  private closed = false;
  /** Days planned so far, per stream (tests and the report's plan statistics). */
  readonly windows: { stream: number; range: DayRange }[] = [];

  private readonly first: readonly Batch[];
  private firstAt = 0;
  private readonly onPlanned: ((batch: Batch) => Promise<void> | void) | undefined;

  constructor(
    private readonly spec: OnlineSpec,
    run: Pick<AutoSettings, 'concurrency' | 'maxRowsHeld'>,
    options: {
      /** Batches to hand over before any new one (a resumed run's pending batches). */
      readonly first?: readonly Batch[];
      /** Called with each new batch before it is handed over (the journal records it). */
      readonly onPlanned?: (batch: Batch) => Promise<void> | void;
    } = {},
  ) {
    this.first = options.first ?? [];
    this.onPlanned = options.onPlanned;
    this.planner = new AutoPlanner(spec.streams, {
      rowCap: spec.rowCap,
      maxOffset: spec.maxOffset,
      calendar: spec.calendar,
      concurrency: run.concurrency,
      maxRowsHeld: run.maxRowsHeld,
      prior: spec.prior,
    });
    spec.streams.forEach((s, i) => {
      if (s.value !== undefined) this.streamIndex.set(s.value, i);
    });
  }

  /** A batch the run had before this session (resume): done ones teach the planner. */
  known(record: { readonly batch: Batch; readonly status: string; readonly rows: number }): void {
    if (record.status !== 'done') return;
    const where = this.place(record.batch);
    if (where) this.planner.learn(where.stream, where.range, record.rows);
  }

  /** What became of a batch; batches this object did not plan only teach it their rows. */
  observe(outcome: BatchFeedback): void {
    const mine = this.issued.delete(outcome.batch.key);
    const where = this.place(outcome.batch);
    if (outcome.status === 'done') {
      if (mine && where) this.planner.done(where.stream, where.range, outcome.rows);
      else if (mine) this.planner.failed();
      else if (where) this.planner.learn(where.stream, where.range, outcome.rows);
    } else if (outcome.status === 'failed') {
      if (mine) this.planner.failed();
    } else if (mine) {
      for (const c of outcome.children) this.issued.add(c.key);
      if (where) this.planner.split(where.stream, where.range, outcome.children.length);
      else this.planner.failed();
    }
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return {
      next: () => this.pull(),
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** No more batches: a pull waiting for an outcome ends. */
  close(): void {
    this.closed = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Plan statistics of the windows planned so far (the run report's plan section). */
  stats(generationMs: number): PlanStats {
    const range = this.spec.range;
    // one batch per window; the baseline is one batch per day and value
    const windows = this.windows.map((w) => w.range);
    return planStats({ range, windows, values: Math.max(1, this.spec.streams.length), generationMs });
  }

  private async pull(): Promise<IteratorResult<Batch>> {
    if (this.firstAt < this.first.length) return { value: this.first[this.firstAt++], done: false };
    for (;;) {
      if (this.closed) return { value: undefined, done: true };
      const w = this.planner.next();
      if (w === undefined) return { value: undefined, done: true };
      if (w === 'wait') {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const batch = autoBatch(this.spec, w.stream, w.range);
      this.windows.push(w);
      this.issued.add(batch.key);
      await this.onPlanned?.(batch);
      return { value: batch, done: false };
    }
  }

  private place(batch: Batch): { stream: number; range: DayRange } | undefined {
    const win = batch.window;
    if (!win) return undefined;
    let stream = 0;
    if (this.spec.param !== undefined) {
      const found = this.streamIndex.get(String(batch.params[this.spec.param]));
      if (found === undefined) return undefined;
      stream = found;
    }
    return { stream, range: { start: parseDay(win.start), end: parseDay(win.end) } };
  }
}
