/**
 * Where a run's time went, batch by batch: each batch in flight holds a lane (the lowest free one)
 * from its start until it is written, failed or split, and its time there is cut into states:
 * waiting for the row budget, waiting for quota (pacing, or after a rate-limit answer), fetching,
 * queued (fetched, waiting for the writer) and writing. Waits and commits are reported when they
 * end (`rows:wait`, `pace:wait` with a batch key, `batch:commit`), so time is attributed up to the
 * last event of each batch; the rest is provisional until the next one.
 *
 * Bounded: open batches are the ones in flight or held; of finished batches only the last
 * `maxBatches` are kept (with at most `maxSegments` segments each); totals cover the whole run.
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import type { LaneBatch, SlotState } from '../core/report.js';

export const SLOT_STATES: readonly SlotState[] = ['rows', 'quota', 'fetch', 'queued', 'write'];
export type { SlotState, LaneBatch };

export interface SlotsSnapshot {
  /** Most lanes in use at once. */
  readonly lanes: number;
  /** Open batches, then the most recent finished ones, by start time. */
  readonly batches: readonly LaneBatch[];
  /** Finished batches no longer kept (only their totals remain). */
  readonly dropped: number;
  /** Batch-ms spent in each state over the run (open batches up to their last event). */
  readonly totalMs: Readonly<Record<SlotState, number>>;
  /** Open batches by their current state. */
  readonly current: Readonly<Record<SlotState, number>>;
}

/** Receives every attributed span (e.g. the timeline's buckets). */
export type SpanSink = (state: SlotState, fromMs: number, toMs: number) => void;

interface Open {
  readonly key: string;
  readonly lane: number;
  readonly startMs: number;
  /** Time attributed up to here. */
  cursor: number;
  fetched: boolean;
  segments: Array<[SlotState, number, number]>;
}

export interface SlotTrackerOptions {
  /** Event time (the events' `tMs` clock) to ms since the monitor started. */
  readonly rel: (tMs: number) => number;
  readonly onSpan?: SpanSink;
  /** @default 500 */
  readonly maxBatches?: number;
  /** @default 32 */
  readonly maxSegments?: number;
}

const zero = (): Record<SlotState, number> => ({ rows: 0, quota: 0, fetch: 0, queued: 0, write: 0 });

export class SlotTracker {
  private readonly open = new Map<string, Open>();
  private readonly done: LaneBatch[] = [];
  private readonly freeLanes: number[] = [];
  private nextLane = 0;
  private maxLanes = 0;
  private dropped = 0;
  private readonly totals = zero();
  private readonly maxBatches: number;
  private readonly maxSegments: number;

  constructor(private readonly options: SlotTrackerOptions) {
    this.maxBatches = options.maxBatches ?? 500;
    this.maxSegments = options.maxSegments ?? 32;
  }

  /** Subscribes to the events it needs; returns the unsubscribe functions. */
  attach(events: Emitter<ExecutorEventMap>): Array<() => void> {
    return [
      events.on('batch:start', (e) => this.start(e.key, e.tMs)),
      events.on('rows:wait', (e) => this.wait(e.key, 'rows', e.tMs, e.waitMs)),
      events.on('pace:wait', (e) => {
        if (e.key !== undefined) this.wait(e.key, 'quota', e.tMs, e.waitMs);
      }),
      events.on('batch:done', (e) => this.fetched(e.key, e.tMs)),
      events.on('batch:commit', (e) => this.committed(e.key, e.tMs, e.ms)),
      events.on('batch:fail', (e) => this.end(e.key, e.tMs, 'failed')),
      events.on('batch:split', (e) => this.end(e.key, e.tMs, 'split')),
    ];
  }

  start(key: string, tMs: number): void {
    if (this.open.has(key)) return; // a batch started again (a worker retry) keeps its lane
    const lane = this.freeLanes.length > 0 ? this.takeLowestFree() : this.nextLane++;
    this.maxLanes = Math.max(this.maxLanes, this.open.size + 1);
    const t = this.options.rel(tMs);
    this.open.set(key, { key, lane, startMs: t, cursor: t, fetched: false, segments: [] });
  }

  /** A wait of `waitMs` that ended at `tMs`: the time before it since the last event was work. */
  wait(key: string, state: SlotState, tMs: number, waitMs: number): void {
    const b = this.open.get(key);
    if (!b) return;
    const end = Math.max(b.cursor, this.options.rel(tMs));
    const from = Math.max(b.cursor, end - waitMs);
    this.attribute(b, b.fetched ? 'queued' : 'fetch', from);
    this.attribute(b, state, end);
  }

  fetched(key: string, tMs: number): void {
    const b = this.open.get(key);
    if (!b) return;
    this.attribute(b, 'fetch', this.options.rel(tMs));
    b.fetched = true;
  }

  committed(key: string, tMs: number, ms: number): void {
    const b = this.open.get(key);
    if (!b) return;
    const end = Math.max(b.cursor, this.options.rel(tMs));
    this.attribute(b, b.fetched ? 'queued' : 'fetch', Math.max(b.cursor, end - ms));
    this.attribute(b, 'write', end);
    this.finish(b, end, 'done');
  }

  end(key: string, tMs: number, status: 'failed' | 'split'): void {
    const b = this.open.get(key);
    if (!b) return;
    const end = Math.max(b.cursor, this.options.rel(tMs));
    this.attribute(b, 'fetch', end);
    this.finish(b, end, status);
  }

  /** Closes every open batch at `atMs` (ms since start): the run is over. */
  closeAll(atMs: number): void {
    for (const b of [...this.open.values()]) {
      const end = Math.max(b.cursor, atMs);
      this.attribute(b, b.fetched ? 'queued' : 'fetch', end);
      this.finish(b, end, b.fetched ? 'done' : 'failed');
    }
  }

  /** Spans of open batches from their last event to `nowMs` (provisional: not yet attributed). */
  pending(nowMs: number): Array<[SlotState, number, number]> {
    const out: Array<[SlotState, number, number]> = [];
    for (const b of this.open.values())
      if (nowMs > b.cursor) out.push([b.fetched ? 'queued' : 'fetch', b.cursor, nowMs]);
    return out;
  }

  snapshot(nowMs: number): SlotsSnapshot {
    const current = zero();
    const open: LaneBatch[] = [];
    for (const b of this.open.values()) {
      const state: SlotState = b.fetched ? 'queued' : 'fetch';
      current[state] += 1;
      const segments = [...b.segments];
      if (nowMs > b.cursor) segments.push([state, b.cursor, nowMs]);
      open.push({
        key: b.key,
        lane: b.lane,
        startMs: Math.round(b.startMs),
        endMs: null,
        status: b.fetched ? 'queued' : 'fetching',
        segments: segments.map(roundSegment),
      });
    }
    const batches = [...this.done, ...open].sort((a, b) => a.startMs - b.startMs);
    return { lanes: this.maxLanes, batches, dropped: this.dropped, totalMs: { ...this.totals }, current };
  }

  private takeLowestFree(): number {
    let best = 0;
    for (let i = 1; i < this.freeLanes.length; i++) if (this.freeLanes[i] < this.freeLanes[best]) best = i;
    return this.freeLanes.splice(best, 1)[0];
  }

  private attribute(b: Open, state: SlotState, toMs: number): void {
    if (toMs <= b.cursor) return;
    const from = b.cursor;
    b.cursor = toMs;
    this.totals[state] += toMs - from;
    this.options.onSpan?.(state, from, toMs);
    const last = b.segments[b.segments.length - 1];
    if (last && last[0] === state && last[2] === from) last[2] = toMs;
    else if (b.segments.length < this.maxSegments) b.segments.push([state, from, toMs]);
    else if (last) last[2] = toMs; // past the bound the last segment stretches; totals stay exact
  }

  private finish(b: Open, endMs: number, status: LaneBatch['status']): void {
    this.open.delete(b.key);
    this.freeLanes.push(b.lane);
    this.done.push({
      key: b.key,
      lane: b.lane,
      startMs: Math.round(b.startMs),
      endMs: Math.round(endMs),
      status,
      segments: b.segments.map(roundSegment),
    });
    if (this.done.length > this.maxBatches) {
      this.done.splice(0, this.done.length - this.maxBatches);
      this.dropped += 1;
    }
  }
}

function roundSegment(s: readonly [SlotState, number, number]): [SlotState, number, number] {
  return [s[0], Math.round(s[1]), Math.round(s[2])];
}
