/**
 * Planner benchmark (not a test): `node dist/bench/plan.js`.
 * 1. Time to plan 1990-01-01..2025-12-31 with each strategy (median of several runs).
 * 2. Time and memory to plan the same range x 5,000 symbols (cross product, smart -> 36 yearly
 *    windows -> 180,000 batches): median wall and CPU ms over several runs (from a clean heap, and
 *    back to back), heap retained by one plan (after a full GC), and the peak RSS growth of the
 *    first plan. The goal is judged on the clean-heap median and the first plan's memory.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { constantDensity, planJob, type PlanSpec } from '../src/plan/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const START = '1990-01-01';
const END = '2025-12-31';
const SYMBOLS = 5000;
const RUNS = 15;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/**
 * Wall ms and CPU ms (user + system, all threads of this process) of each run. With `cleanHeap`
 * a full GC (not timed) runs before each plan, as at the start of a real run; without it the
 * plans run back to back and each pays for collecting the previous ones' garbage.
 */
function timeRuns(spec: PlanSpec, runs: number, cleanHeap = false): { ms: number[]; cpuMs: number[]; batches: number } {
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let batches = 0;
  for (let i = 0; i < runs; i++) {
    if (cleanHeap) gc();
    const c = process.cpuUsage();
    const t = performance.now();
    batches = planJob(spec).batches.length;
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { ms, cpuMs, batches };
}

// --- cross product first, so the process's peak RSS reflects it and not earlier work ---
const symbols = Array.from({ length: SYMBOLS }, (_, i) => `${String(i + 1).padStart(6, '0')}.${i % 2 ? 'SZ' : 'SH'}`);
const crossSpec: PlanSpec = { start: START, end: END, each: { param: 'ts_code', values: symbols } };

gc();
const rssStart = process.memoryUsage().rss;
const maxRssStartKb = process.resourceUsage().maxRSS;
const heapBase = process.memoryUsage().heapUsed;
const t0 = performance.now();
let kept: ReturnType<typeof planJob> | undefined = planJob(crossSpec);
const firstMs = performance.now() - t0;
const firstPeakRss = process.resourceUsage().maxRSS * 1024;
gc();
const retained = process.memoryUsage().heapUsed - heapBase;
const batchCount = kept.batches.length;
kept = undefined;
gc();
const warm = timeRuns(crossSpec, RUNS, true);
const backToBack = timeRuns(crossSpec, RUNS);
const peakRss = process.resourceUsage().maxRSS * 1024;
const crossMedian = median(warm.ms);

console.log(`cross product ${START}..${END} x ${SYMBOLS} symbols (smart): ${batchCount} batches`);
console.log(`  first run (cold)      ${firstMs.toFixed(1)} ms`);
const line = (r: { ms: number[]; cpuMs: number[] }): string =>
  `${median(r.ms).toFixed(1)} ms wall (min ${Math.min(...r.ms).toFixed(1)}, max ${Math.max(...r.ms).toFixed(1)}), ${median(r.cpuMs).toFixed(1)} ms CPU`;
console.log(`  median, clean heap    ${line(warm)}`);
console.log(`  median, back to back  ${line(backToBack)}`);
console.log(`  heap held by one plan ${mb(retained)} MB (heapUsed after full GC, minus before)`);
const before = Math.max(rssStart, maxRssStartKb * 1024);
console.log(
  `  peak RSS, one plan    ${mb(firstPeakRss)} MB (start ${mb(rssStart)} MB, growth ${mb(firstPeakRss - before)} MB)`,
);
console.log(
  `  peak RSS, all runs    ${mb(peakRss)} MB (includes garbage of the back-to-back plans before V8 collects it)`,
);
const heapOk = retained < 50 * 1024 * 1024 && firstPeakRss - before < 50 * 1024 * 1024;
console.log(
  `  goal < 50 ms and < 50 MB: ${crossMedian < 50 && heapOk ? 'met' : 'NOT met'} (median wall ${crossMedian.toFixed(1)} ms, one plan ${mb(retained)} MB heap / ${mb(firstPeakRss - before)} MB RSS growth)`,
);

// --- one range per strategy ---
console.log(
  `  load average          ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} on ${availableParallelism()} CPUs (wall times inflate under load)`,
);
console.log(`\nplanning ${START}..${END} (13,149 days), median of ${RUNS} runs:`);
const strategies: [string, PlanSpec][] = [
  ['smart', { start: START, end: END }],
  ['guide (daily)', { start: START, end: END, strategy: 'guide' }],
  ['guide (monthly)', { start: START, end: END, strategy: 'guide', frequency: 'monthly' }],
  ['day', { start: START, end: END, strategy: 'day' }],
  ['week', { start: START, end: END, strategy: 'week' }],
  ['month', { start: START, end: END, strategy: 'month' }],
  ['quarter', { start: START, end: END, strategy: 'quarter' }],
  ['half', { start: START, end: END, strategy: 'half' }],
  ['year', { start: START, end: END, strategy: 'year' }],
  ['days:30', { start: START, end: END, strategy: 'days:30' }],
  [
    'rows (5000/day, cap 6000, offset 100000)',
    { start: START, end: END, strategy: 'rows', density: constantDensity(5000), rowCap: 6000, maxOffset: 100000 },
  ],
];
for (const [name, spec] of strategies) {
  const r = timeRuns(spec, RUNS);
  console.log(
    `  ${name.padEnd(42)} ${median(r.ms).toFixed(3).padStart(8)} ms wall ${median(r.cpuMs).toFixed(3).padStart(8)} ms CPU  ${String(r.batches).padStart(6)} windows`,
  );
}
