/**
 * A bounded timeline of fixed-width buckets (1 s to start with). When a run outlasts
 * `maxBuckets` buckets, neighbours are merged pairwise and the width doubles, so memory stays
 * bounded however long the run is. Counters add up; gauges keep their last (and max) value.
 * Batch time by state (see slots.ts) adds up too, and is shown as the average number of batches
 * in each state over a bucket.
 */
import { SLOT_STATES, type SlotState } from './slots.js';

export interface TimelinePoint {
  /** Bucket start, ms since the monitor started. */
  readonly tMs: number;
  readonly widthMs: number;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly rows: number;
  readonly rowsPerSecond: number;
  /** Average latency of calls that ended in the bucket (0 when none). */
  readonly avgMs: number;
  /** Highest in-flight count seen in the bucket (carried forward when no event). */
  readonly inflight: number;
  /** Concurrency limit at the end of the bucket (carried forward). */
  readonly limit: number;
  /** RSS at the end of the bucket (carried forward). */
  readonly rssMb: number;
  /** Average number of batches waiting for the row budget, waiting for quota, fetching, queued for the writer, writing. */
  readonly slots?: Readonly<Record<SlotState, number>>;
}

interface Bucket {
  calls: number;
  rows: number;
  latencyMs: number;
  inflightMax?: number;
  inflightLast?: number;
  limit?: number;
  rssMb?: number;
  /** Batch-ms per state, when any. */
  stateMs?: Record<SlotState, number>;
}

const empty = (): Bucket => ({ calls: 0, rows: 0, latencyMs: 0 });

function addStates(into: Record<SlotState, number> | undefined, from?: Record<SlotState, number>) {
  if (!from) return into;
  const out = { ...(into ?? { rows: 0, quota: 0, fetch: 0, queued: 0, write: 0 }) };
  for (const k of SLOT_STATES) out[k] += from[k];
  return out;
}

function mergeBuckets(a: Bucket | undefined, b: Bucket | undefined): Bucket {
  const x = a ?? empty();
  const y = b ?? empty();
  const maxOf = (p?: number, q?: number) => (p === undefined ? q : q === undefined ? p : Math.max(p, q));
  return {
    calls: x.calls + y.calls,
    rows: x.rows + y.rows,
    latencyMs: x.latencyMs + y.latencyMs,
    inflightMax: maxOf(x.inflightMax, y.inflightMax),
    inflightLast: y.inflightLast ?? x.inflightLast,
    limit: y.limit ?? x.limit,
    rssMb: y.rssMb ?? x.rssMb,
    stateMs: addStates(addStates(undefined, x.stateMs), y.stateMs),
  };
}

export class Timeline {
  private widthMs: number;
  private readonly maxBuckets: number;
  private buckets: Bucket[] = [];

  /** @param widthMs first bucket width (default 1000). @param maxBuckets most buckets kept (>= 2, default 600). */
  constructor(widthMs = 1000, maxBuckets = 600) {
    this.widthMs = widthMs;
    this.maxBuckets = Math.max(2, maxBuckets);
  }

  get bucketMs(): number {
    return this.widthMs;
  }

  private at(tMs: number): Bucket {
    let i = Math.max(0, Math.floor(tMs / this.widthMs));
    while (i >= this.maxBuckets) {
      this.compact();
      i = Math.floor(tMs / this.widthMs);
    }
    while (this.buckets.length <= i) this.buckets.push(empty());
    return this.buckets[i];
  }

  private compact(): void {
    const next: Bucket[] = [];
    for (let j = 0; j < this.buckets.length; j += 2) next.push(mergeBuckets(this.buckets[j], this.buckets[j + 1]));
    this.buckets = next;
    this.widthMs *= 2;
  }

  addCall(tMs: number, latencyMs: number, rows: number): void {
    const b = this.at(tMs);
    b.calls += 1;
    b.latencyMs += latencyMs;
    b.rows += rows;
  }

  setConcurrency(tMs: number, limit: number, inflight: number): void {
    const b = this.at(tMs);
    b.limit = limit;
    b.inflightLast = inflight;
    b.inflightMax = Math.max(b.inflightMax ?? 0, inflight);
  }

  setRss(tMs: number, rssMb: number): void {
    this.at(tMs).rssMb = rssMb;
  }

  /** Adds the batch time of one state from `fromMs` to `toMs`, split over the buckets it covers. */
  addSpan(state: SlotState, fromMs: number, toMs: number): void {
    if (!(toMs > fromMs)) return;
    this.at(toMs); // compacts first, so the widths below are final
    const from = Math.max(0, fromMs);
    const w = this.widthMs;
    for (let i = Math.floor(from / w); i * w < toMs; i++) {
      const ms = Math.min(toMs, (i + 1) * w) - Math.max(from, i * w);
      if (ms <= 0) continue;
      const b = this.buckets[i];
      b.stateMs ??= { rows: 0, quota: 0, fetch: 0, queued: 0, write: 0 };
      b.stateMs[state] += ms;
    }
  }

  /**
   * Buckets up to `untilMs` (or the last recorded one), gauges carried forward over quiet buckets.
   * When `untilMs` falls inside the last bucket, that bucket's rates use the time elapsed in it
   * (at least a quarter of its width), so a run's final partial second does not look like a drop.
   */
  points(untilMs?: number, pending: ReadonlyArray<readonly [SlotState, number, number]> = []): TimelinePoint[] {
    if (untilMs !== undefined) this.at(untilMs);
    // provisional spans (open batches since their last event) count in the points, not in the buckets
    const extra = new Map<number, Record<SlotState, number>>();
    for (const [state, fromMs, toMs] of pending) {
      const w = this.widthMs;
      for (let i = Math.max(0, Math.floor(fromMs / w)); i * w < toMs && i < this.buckets.length; i++) {
        const ms = Math.min(toMs, (i + 1) * w) - Math.max(fromMs, i * w);
        if (ms <= 0) continue;
        const e = extra.get(i) ?? { rows: 0, quota: 0, fetch: 0, queued: 0, write: 0 };
        e[state] += ms;
        extra.set(i, e);
      }
    }
    const out: TimelinePoint[] = [];
    const last = this.buckets.length - 1;
    let inflight = 0;
    let limit = 0;
    let rss = 0;
    this.buckets.forEach((b, i) => {
      if (b.limit !== undefined) limit = b.limit;
      if (b.rssMb !== undefined) rss = b.rssMb;
      const peak = b.inflightMax ?? inflight;
      if (b.inflightLast !== undefined) inflight = b.inflightLast;
      const start = i * this.widthMs;
      const spanMs =
        i === last && untilMs !== undefined
          ? Math.min(this.widthMs, Math.max(this.widthMs / 4, untilMs - start))
          : this.widthMs;
      const sec = spanMs / 1000;
      const states = addStates(addStates(undefined, b.stateMs), extra.get(i));
      const slots = { rows: 0, quota: 0, fetch: 0, queued: 0, write: 0 };
      if (states) for (const k of SLOT_STATES) slots[k] = states[k] / spanMs;
      out.push({
        tMs: start,
        widthMs: this.widthMs,
        calls: b.calls,
        callsPerSecond: b.calls / sec,
        rows: b.rows,
        rowsPerSecond: b.rows / sec,
        avgMs: b.calls > 0 ? b.latencyMs / b.calls : 0,
        inflight: peak,
        limit,
        rssMb: rss,
        slots,
      });
    });
    return out;
  }
}
