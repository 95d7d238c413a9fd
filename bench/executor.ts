/**
 * Executor bench, one run on loopback, printed side by side:
 * (a) no-op batches/s: execute() vs p-queue doing the same work;
 * (b) achieved calls/s ÷ quota against a sliding-window rate-limited server: our sliding pacer vs
 *     p-queue (intervalCap/interval, default and strict) vs Bottleneck (reservoir);
 * (c) adaptive pacing against an unknown quota: time to 90 % and refused share;
 * (d) concurrency on a server with a capacity knee: gradient vs the throughput rule vs best fixed.
 * Achieved rate for (b) = (accepted - quota) / (last - first accepted arrival), per second: the
 * first `quota` calls of a sliding window are free, the rest are paced.
 */
import { execute, fixedLimit, gradientLimit, throughputLimit } from '../src/run/index.js';
import type { Limit } from '../src/core/pacing.js';
import type { Batch, Page } from '../src/core/types.js';
import type { Source } from '../src/core/source.js';
import { startRateServer, type RateServer } from './helpers/rate-server.js';
import { startKneeServer } from './helpers/knee-server.js';
import { HttpSource } from './helpers/http-source.js';
import { bottleneckQuota, pQueueNoop, pQueueQuota } from './helpers/baselines.js';

const QUOTA = 20;
const INTERVAL_MS = 1000;
const QUOTA_CALLS = 160;

function batches(n: number): Batch[] {
  return Array.from({ length: n }, (_, i) => ({ key: `b${i}`, params: { i } }));
}

/** Endless lazy input for timed runs. */
function* endless(): Generator<Batch> {
  for (let i = 0; ; i++) yield { key: `b${i}`, params: { i } };
}

const noopPage: Page = { fields: ['n'], items: [[1]] };
const noopSource: Source = {
  api: 'noop',
  rowCap: 10,
  async *fetch(_b, ctx) {
    yield await ctx.call(async () => noopPage, { page: 0 });
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function benchNoop(): Promise<void> {
  const n = 50_000;
  const input = batches(n);
  const ours: number[] = [];
  const theirs: number[] = [];
  // CPU time, not wall time: the bench machine may be shared, and both sides run on one thread
  const cpuMs = (from: NodeJS.CpuUsage): number => {
    const d = process.cpuUsage(from);
    return (d.user + d.system) / 1000;
  };
  for (let rep = 0; rep < 9; rep++) {
    let t = process.cpuUsage();
    let done = 0;
    for await (const o of execute(input, { source: noopSource, concurrency: 8 })) if (o.status === 'done') done++;
    ours.push((done * 1000) / cpuMs(t));
    t = process.cpuUsage();
    done = await pQueueNoop(input, noopSource, 8);
    theirs.push((done * 1000) / cpuMs(t));
  }
  const a = median(ours);
  const b = median(theirs);
  console.log('(a) no-op batches per CPU second (median of 9 alternating runs of 50 000, concurrency 8)');
  console.log(
    `    runs: sluice ${ours.map((x) => (x / 1000).toFixed(0)).join(' ')} k; p-queue ${theirs.map((x) => (x / 1000).toFixed(0)).join(' ')} k`,
  );
  console.log(`    sluice execute   ${a.toFixed(0).padStart(8)}`);
  console.log(`    p-queue@9        ${b.toFixed(0).padStart(8)}`);
  console.log(`    ratio            ${(a / b).toFixed(2)}x`);
}

function quotaShare(server: RateServer): number {
  const acc = server.accepted;
  if (acc.length <= QUOTA) return NaN;
  const seconds = (acc[acc.length - 1] - acc[0]) / 1000;
  return (acc.length - QUOTA) / seconds / QUOTA;
}

async function benchQuota(): Promise<void> {
  const server = await startRateServer(QUOTA, INTERVAL_MS);
  const rows: Array<[string, number, number]> = [];
  const measure = async (name: string, run: () => Promise<void>): Promise<void> => {
    server.reset();
    await run();
    rows.push([name, quotaShare(server), server.rejected]);
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 50));
  };
  await measure('sluice sliding', async () => {
    const source = new HttpSource(server.url);
    for await (const o of execute(batches(QUOTA_CALLS), {
      source,
      concurrency: 8,
      pacer: { calls: QUOTA, intervalMs: INTERVAL_MS },
    })) {
      if (o.status !== 'done') throw new Error(`batch ${o.batch.key} ${o.status}`);
    }
  });
  await measure('p-queue intervalCap', () => pQueueQuota(server.url, QUOTA_CALLS, QUOTA, INTERVAL_MS, false));
  await measure('p-queue strict', () => pQueueQuota(server.url, QUOTA_CALLS, QUOTA, INTERVAL_MS, true));
  await measure('bottleneck reservoir', () => bottleneckQuota(server.url, QUOTA_CALLS, QUOTA, INTERVAL_MS));
  await server.close();
  console.log(
    `(b) achieved calls/s ÷ quota, ${QUOTA_CALLS} calls, quota ${QUOTA}/${INTERVAL_MS} ms sliding window, 8 in flight`,
  );
  for (const [name, share, rejected] of rows) {
    console.log(`    ${name.padEnd(22)} ${share.toFixed(3)}   refused ${rejected}`);
  }
}

async function benchAdaptive(): Promise<void> {
  const quota = 50;
  const runMs = 20_000;
  const server = await startRateServer(quota, 1000);
  const source = new HttpSource(server.url);
  const t0 = performance.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), runMs);
  let done = 0;
  for await (const o of execute(endless(), { source, concurrency: 16, pacer: 'adaptive', signal: ac.signal })) {
    if (o.status === 'done') done++;
  }
  clearTimeout(timer);
  const acc = server.accepted;
  let reachedMs = Infinity;
  for (let i = 0, j = 0; i < acc.length; i++) {
    while (acc[i] - acc[j] >= 1000) j++;
    if (i - j + 1 >= 0.9 * quota) {
      reachedMs = acc[i] - t0;
      break;
    }
  }
  const total = acc.length + server.rejected;
  const lastShare = acc.filter((a) => a > t0 + runMs - 10_000).length / 10 / quota;
  await server.close();
  console.log(`(c) adaptive pace, unknown quota ${quota}/s (sliding second), ${runMs / 1000} s run`);
  console.log(`    90 % of quota reached after   ${(reachedMs / 1000).toFixed(2)} s`);
  console.log(
    `    refused                       ${server.rejected} of ${total} calls (${((100 * server.rejected) / total).toFixed(2)} %)`,
  );
  console.log(`    last 10 s: achieved ÷ quota   ${lastShare.toFixed(3)}   (batches done ${done})`);
}

async function kneeRun(url: string, limit: Limit, runMs: number, warmupMs: number): Promise<number> {
  const source = new HttpSource(url);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), runMs);
  const t0 = performance.now();
  let counted = 0;
  for await (const o of execute(endless(), { source, concurrency: limit, signal: ac.signal })) {
    if (o.status === 'done' && performance.now() - t0 >= warmupMs) counted++;
  }
  clearTimeout(timer);
  return (counted * 1000) / (performance.now() - t0 - warmupMs);
}

async function benchKnee(): Promise<void> {
  const capacity = 16;
  const baseMs = 100;
  const server = await startKneeServer(capacity, baseMs);
  const fixed: Array<[number, number]> = [];
  for (const n of [4, 8, 12, 16, 20, 24, 32]) fixed.push([n, await kneeRun(server.url, fixedLimit(n), 2500, 500)]);
  const best = fixed.reduce((a, b) => (b[1] > a[1] ? b : a));
  const gradient = gradientLimit();
  const g = await kneeRun(server.url, gradient, 8000, 3000);
  const throughput = throughputLimit();
  const s = await kneeRun(server.url, throughput, 8000, 3000);
  await server.close();
  console.log(`(d) calls/s on a server with a capacity knee at ${capacity} in progress (${baseMs} ms each below it)`);
  console.log(`    fixed            ${fixed.map(([n, r]) => `${n}:${r.toFixed(0)}`).join('  ')}`);
  console.log(`    best fixed (${best[0]})  ${best[1].toFixed(0)}`);
  console.log(
    `    gradient         ${g.toFixed(0)}   ÷ best fixed ${(g / best[1]).toFixed(3)}   (final limit ${gradient.current})`,
  );
  console.log(
    `    throughput rule  ${s.toFixed(0)}   ÷ best fixed ${(s / best[1]).toFixed(3)}   (final limit ${throughput.current})`,
  );
}

const started = performance.now();
const only = process.argv[2];
if (!only || only === 'a') await benchNoop();
if (!only || only === 'b') await benchQuota();
if (!only || only === 'c') await benchAdaptive();
if (!only || only === 'd') await benchKnee();
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
