/** Monitoring: observes executor events, process memory and call latency; never changes a run. */
export { QuantileSketch, type SketchOptions } from './sketch.js';
export { CallMonitor, type CallStats, type CallMonitorOptions } from './calls.js';
export {
  ResourceSampler,
  MemoryMonitor,
  growthBetween,
  type MemoryPoint,
  type ResourceStats,
  type ResourceSamplerOptions,
  type HeapSnapshotInfo,
  type HeapGrowth,
} from './memory.js';
export { SizeAccumulator, type SizeSummary, type HistogramBin } from './sizes.js';
export { Timeline, type TimelinePoint } from './timeline.js';
export {
  createRunMonitor,
  LATENCY_BUCKETS_MS,
  type RunMonitor,
  type RunMonitorOptions,
  type MonitorSnapshot,
  type LatencyBucket,
} from './run-monitor.js';
export {
  startMetricsServer,
  createRunMetrics,
  type MetricsServer,
  type MetricsServerOptions,
  type RunMetrics,
  type RunMetricsInfo,
} from './prometheus.js';
export { pushMetrics, type PushOptions } from './push.js';
