/**
 * System resources: RSS and heap sampled on an interval (start, peak, a bounded timeline), and a
 * memory monitor made of Node's own facilities: labelled v8 heap snapshots of statistics with
 * per-space growth analysis, and a real heap snapshot file only when asked for.
 */
import v8 from 'node:v8';

const MB = 1024 * 1024;

export interface MemoryPoint {
  readonly tMs: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

export interface ResourceStats {
  readonly samples: number;
  readonly startRssMb: number;
  readonly peakRssMb: number;
  readonly lastRssMb: number;
  readonly startHeapMb: number;
  readonly peakHeapMb: number;
  /** Peak RSS minus start RSS: what the run itself added. */
  readonly rssGrowthMb: number;
  readonly timeline: readonly MemoryPoint[];
}

export interface ResourceSamplerOptions {
  /** Time between samples. @default 1000 */
  readonly intervalMs?: number;
  /** Most timeline points kept; older points are thinned (every other one dropped) when full. @default 600 */
  readonly maxPoints?: number;
  /** Clock for `tMs` (relative to the first sample). @default performance.now */
  readonly now?: () => number;
  /** Memory reader (tests). @default process.memoryUsage */
  readonly read?: () => { rss: number; heapUsed: number };
}

/** Samples RSS and heap; `start()` takes the first sample at once, then one per interval (unref'd timer). */
export class ResourceSampler {
  private readonly intervalMs: number;
  private readonly maxPoints: number;
  private readonly now: () => number;
  private readonly read: () => { rss: number; heapUsed: number };
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private n = 0;
  private stride = 1;
  private skipped = 0;
  private startRss = 0;
  private startHeap = 0;
  private peakRss = 0;
  private peakHeap = 0;
  private lastRss = 0;
  private points: MemoryPoint[] = [];

  constructor(options: ResourceSamplerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxPoints = Math.max(4, options.maxPoints ?? 600);
    this.now = options.now ?? (() => performance.now());
    this.read = options.read ?? (() => process.memoryUsage());
  }

  start(): this {
    if (this.timer) return this;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample now (also called by the timer). */
  sample(): MemoryPoint {
    const m = this.read();
    const now = this.now();
    if (this.n === 0) {
      this.t0 = now;
      this.startRss = m.rss / MB;
      this.startHeap = m.heapUsed / MB;
    }
    this.n += 1;
    const point: MemoryPoint = { tMs: now - this.t0, rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB };
    this.lastRss = point.rssMb;
    this.peakRss = Math.max(this.peakRss, point.rssMb);
    this.peakHeap = Math.max(this.peakHeap, point.heapUsedMb);
    // keep every `stride`-th sample; when the timeline is full, drop every other point and double the stride
    if (this.skipped % this.stride === 0) {
      this.points.push(point);
      if (this.points.length > this.maxPoints) {
        this.points = this.points.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
        this.skipped = 0;
      }
    }
    this.skipped += 1;
    return point;
  }

  /** Latest RSS in MB (0 before the first sample). */
  get rssMb(): number {
    return this.lastRss;
  }

  stats(): ResourceStats {
    return {
      samples: this.n,
      startRssMb: this.startRss,
      peakRssMb: this.peakRss,
      lastRssMb: this.lastRss,
      startHeapMb: this.startHeap,
      peakHeapMb: this.peakHeap,
      rssGrowthMb: Math.max(0, this.peakRss - this.startRss),
      timeline: [...this.points],
    };
  }
}

export interface HeapSnapshotInfo {
  readonly label: string;
  readonly tMs: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  /** Used MB per v8 heap space (new_space, old_space, code_space, ...). */
  readonly spaces: Readonly<Record<string, number>>;
}

export interface HeapGrowth {
  readonly from: string;
  readonly to: string;
  /** Per-space growth in MB, largest growth first. */
  readonly spaces: ReadonlyArray<{ readonly space: string; readonly growthMb: number }>;
  /** Heap used growth in MB. */
  readonly growthMb: number;
  /** Heap used at the later snapshot (MB). */
  readonly totalMb: number;
}

/** Labelled heap statistics snapshots and growth between the last two. */
export class MemoryMonitor {
  private readonly snapshots: HeapSnapshotInfo[] = [];
  private readonly now: () => number;
  private readonly maxSnapshots: number;

  constructor(options: { readonly now?: () => number; /** @default 100 */ readonly maxSnapshots?: number } = {}) {
    this.now = options.now ?? (() => performance.now());
    this.maxSnapshots = options.maxSnapshots ?? 100;
  }

  snapshot(label = ''): HeapSnapshotInfo {
    const heap = v8.getHeapStatistics();
    const spaces: Record<string, number> = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = s.space_used_size / MB;
    const info: HeapSnapshotInfo = {
      label,
      tMs: this.now(),
      rssMb: process.memoryUsage.rss() / MB,
      heapUsedMb: heap.used_heap_size / MB,
      heapTotalMb: heap.total_heap_size / MB,
      spaces,
    };
    this.snapshots.push(info);
    if (this.snapshots.length > this.maxSnapshots) this.snapshots.shift();
    return info;
  }

  list(): readonly HeapSnapshotInfo[] {
    return [...this.snapshots];
  }

  /** Growth between the last two snapshots, or null with fewer than two. */
  analyzeGrowth(): HeapGrowth | null {
    const n = this.snapshots.length;
    if (n < 2) return null;
    return growthBetween(this.snapshots[n - 2], this.snapshots[n - 1]);
  }

  /** Writes a full v8 heap snapshot (slow, large) and returns its path. Only on request. */
  writeHeapSnapshot(file?: string): string {
    return v8.writeHeapSnapshot(file);
  }
}

export function growthBetween(a: HeapSnapshotInfo, b: HeapSnapshotInfo): HeapGrowth {
  const names = new Set([...Object.keys(a.spaces), ...Object.keys(b.spaces)]);
  const spaces = [...names]
    .map((space) => ({ space, growthMb: (b.spaces[space] ?? 0) - (a.spaces[space] ?? 0) }))
    .sort((x, y) => y.growthMb - x.growthMb);
  return { from: a.label, to: b.label, spaces, growthMb: b.heapUsedMb - a.heapUsedMb, totalMb: b.heapUsedMb };
}
