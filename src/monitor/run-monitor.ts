/**
 * The run monitor: subscribes to executor events and keeps everything a report needs in bounded
 * memory. It only listens; it never changes the run.
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import { CallMonitor, type CallStats } from './calls.js';
import { MemoryMonitor, ResourceSampler, growthBetween, type HeapGrowth, type ResourceStats } from './memory.js';
import { SizeAccumulator, type SizeSummary } from './sizes.js';
import { Timeline, type TimelinePoint } from './timeline.js';

/** Upper bounds (ms) of the latency histogram; the last bucket (leMs null) is everything above. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

export interface LatencyBucket {
  /** Upper bound in ms; null for the overflow bucket. */
  readonly leMs: number | null;
  readonly count: number;
}

/**
 * What a run monitor has seen so far: calls, rows, batches, concurrency, memory, timeline.
 * @example
 * ```ts
 * const snap: MonitorSnapshot = monitor.snapshot();
 * console.log(snap.calls.total.p95Ms, snap.memory.peakRssMb);
 * ```
 */
export interface MonitorSnapshot {
  readonly elapsedMs: number;
  readonly calls: { readonly total: CallStats; readonly byApi: readonly CallStats[] };
  readonly rows: { readonly fetched: number; readonly committed: number };
  readonly batches: {
    readonly started: number;
    readonly done: number;
    readonly failed: number;
    /** Windows that overflowed the row cap and were split. */
    readonly split: number;
    /** Rows per done batch. */
    readonly rows: SizeSummary;
    /** Done batches with fewer rows than a quarter of the row cap (null when no rowCap was given). */
    readonly underQuarterCap: number | null;
  };
  readonly concurrency: {
    readonly observed: boolean;
    readonly min: number;
    readonly max: number;
    readonly final: number;
    readonly maxInflight: number;
  };
  /** Last learned pace per API (calls per minute). */
  readonly paceRates: Readonly<Record<string, number>>;
  /** Calls that waited for the row budget (rows held in memory), their total wait, and the budget (null: never hit). */
  readonly rowBudget: { readonly waits: number; readonly waitMs: number; readonly maxRowsHeld: number | null };
  readonly memory: ResourceStats;
  /** v8 heap growth per space from the monitor's start to now (or to stop()). */
  readonly heapGrowth: HeapGrowth | null;
  readonly bucketMs: number;
  readonly timeline: readonly TimelinePoint[];
  readonly latencyHistogram: readonly LatencyBucket[];
}

/**
 * Options of `createRunMonitor`.
 * @example
 * ```ts
 * createRunMonitor(events, { rowCap: 6000, sampleIntervalMs: 500 });
 * ```
 */
export interface RunMonitorOptions {
  /** Memory sampling interval. @default 1000 */
  readonly sampleIntervalMs?: number;
  /** Clock, ms. @default performance.now */
  readonly now?: () => number;
  /** Row cap of one call, to count under-filled windows. */
  readonly rowCap?: number;
  /** Width of a timeline bucket at the start (it doubles when the run outgrows the buckets). @default 1000 */
  readonly timelineBucketMs?: number;
  /** Most timeline buckets. @default 600 */
  readonly maxTimelineBuckets?: number;
  /** Memory reader (tests). @default process.memoryUsage */
  readonly readMemory?: () => { rss: number; heapUsed: number };
}

/**
 * A run monitor: `snapshot()` at any time, `stop()` at the end.
 * @example
 * ```ts
 * const monitor: RunMonitor = createRunMonitor(events);
 * console.log(monitor.snapshot().calls.total.calls);
 * ```
 */
export interface RunMonitor {
  snapshot(): MonitorSnapshot;
  stop(): void;
}

/**
 * Listens to a run's events and keeps, in bounded memory, everything its report needs.
 * @example
 * ```ts
 * import { Emitter, buildReport, createRunMonitor, execute } from 'sluice';
 * const events = new Emitter();
 * const monitor = createRunMonitor(events, { rowCap: source.rowCap });
 * for await (const o of execute(plan.batches, { source, events })) void o;
 * const snapshot = monitor.snapshot();
 * monitor.stop();
 * ```
 */
export function createRunMonitor(events: Emitter<ExecutorEventMap>, opts: RunMonitorOptions = {}): RunMonitor {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const rel = () => now() - t0;
  const calls = new CallMonitor();
  const timeline = new Timeline(opts.timelineBucketMs ?? 1000, opts.maxTimelineBuckets ?? 600);
  const batchRows = new SizeAccumulator();
  const latency = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  const paceRates: Record<string, number> = {};
  const b = { started: 0, done: 0, failed: 0, split: 0, committed: 0, under: 0 };
  const conc = { observed: false, min: Infinity, max: 0, final: 0, maxInflight: 0 };
  const rowBudget = { waits: 0, waitMs: 0, maxRowsHeld: null as number | null };

  const sampler = new ResourceSampler({
    intervalMs: opts.sampleIntervalMs ?? 1000,
    now,
    read: opts.readMemory,
    maxPoints: opts.maxTimelineBuckets,
  });
  const origSample = sampler.sample.bind(sampler);
  sampler.sample = () => {
    const p = origSample();
    timeline.setRss(rel(), p.rssMb);
    return p;
  };
  sampler.start();
  const heap = new MemoryMonitor({ now, maxSnapshots: 2 });
  const startHeap = heap.snapshot('start');
  let endGrowth: HeapGrowth | null = null;

  // also sample memory when a call lands in a new second, so the RSS line follows the run even
  // when the interval timer is late (busy event loop) or the clock is a fake one
  let sampledSecond = 0;
  const offs = [
    events.on('call:end', (e) => {
      const second = Math.floor(rel() / 1000);
      if (second !== sampledSecond) {
        sampledSecond = second;
        sampler.sample();
      }
      calls.onCallEnd(e);
      timeline.addCall(rel(), e.ms, e.status === 'ok' ? e.rows : 0);
      let i = LATENCY_BUCKETS_MS.findIndex((le) => e.ms <= le);
      if (i < 0) i = LATENCY_BUCKETS_MS.length;
      latency[i] += 1;
    }),
    events.on('pace:wait', (e) => calls.onPaceWait(e)),
    events.on('rows:wait', (e) => {
      rowBudget.waits += 1;
      rowBudget.waitMs += e.waitMs;
      rowBudget.maxRowsHeld = e.maxRowsHeld;
    }),
    events.on('pace:rate', (e) => {
      paceRates[e.api] = e.callsPerMinute;
    }),
    events.on('batch:start', () => {
      b.started += 1;
    }),
    events.on('batch:done', (e) => {
      b.done += 1;
      b.committed += e.rows;
      batchRows.add(e.rows);
      if (opts.rowCap !== undefined && e.rows < opts.rowCap / 4) b.under += 1;
    }),
    events.on('batch:fail', () => {
      b.failed += 1;
    }),
    events.on('batch:split', () => {
      b.split += 1;
    }),
    events.on('concurrency', (e) => {
      conc.observed = true;
      conc.min = Math.min(conc.min, e.limit);
      conc.max = Math.max(conc.max, e.limit);
      conc.final = e.limit;
      conc.maxInflight = Math.max(conc.maxInflight, e.inflight);
      timeline.setConcurrency(rel(), e.limit, e.inflight);
    }),
  ];

  let stopped = false;
  let stoppedAt = 0;
  return {
    snapshot(): MonitorSnapshot {
      const elapsedMs = stopped ? stoppedAt : rel();
      if (!stopped) sampler.sample();
      const total = calls.total();
      return {
        elapsedMs,
        calls: { total, byApi: calls.byApi() },
        rows: { fetched: total.rows, committed: b.committed },
        batches: {
          started: b.started,
          done: b.done,
          failed: b.failed,
          split: b.split,
          rows: batchRows.summary(),
          underQuarterCap: opts.rowCap === undefined ? null : b.under,
        },
        concurrency: { ...conc, min: conc.observed ? conc.min : 0 },
        paceRates: { ...paceRates },
        rowBudget: { ...rowBudget },
        memory: sampler.stats(),
        heapGrowth: stopped ? endGrowth : growthBetween(startHeap, heap.snapshot('now')),
        bucketMs: timeline.bucketMs,
        timeline: timeline.points(elapsedMs),
        latencyHistogram: latency.map((count, i) => ({ leMs: LATENCY_BUCKETS_MS[i] ?? null, count })),
      };
    },
    stop(): void {
      if (stopped) return;
      sampler.sample();
      stoppedAt = rel();
      endGrowth = growthBetween(startHeap, heap.snapshot('end'));
      stopped = true;
      sampler.stop();
      for (const off of offs) off();
    },
  };
}
