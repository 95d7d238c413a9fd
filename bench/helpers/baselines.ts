/**
 * The baselines the executor bench compares against, doing the same work as the executor:
 * p-queue (with intervalCap/interval, optionally strict) and Bottleneck (with a reservoir).
 * A refused call (HTTP 429) is retried after the server's hint, as any real caller must.
 */
import PQueue from 'p-queue';
import Bottleneck from 'bottleneck';
import type { Batch, Page } from '../../src/core/types.js';
import type { CallContext, Source } from '../../src/core/source.js';
import { httpCall, RateLimitedHttp } from './http-source.js';

/** Run `calls` GETs through a scheduler function that wraps one task. */
async function callLoop(
  url: string,
  calls: number,
  concurrency: number,
  schedule: (task: () => Promise<Page>) => Promise<Page>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next++;
      for (;;) {
        try {
          await schedule(() => httpCall(url));
          break;
        } catch (e) {
          if (!(e instanceof RateLimitedHttp)) throw e;
          await new Promise((r) => setTimeout(r, e.retryAfterMs));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function pQueueQuota(
  url: string,
  calls: number,
  quota: number,
  intervalMs: number,
  strict: boolean,
): Promise<void> {
  const queue = new PQueue({ concurrency: Infinity, intervalCap: quota, interval: intervalMs, strict });
  await callLoop(url, calls, 8, (task) => queue.add(task) as Promise<Page>);
}

export async function bottleneckQuota(url: string, calls: number, quota: number, intervalMs: number): Promise<void> {
  const limiter = new Bottleneck({
    reservoir: quota,
    reservoirRefreshAmount: quota,
    reservoirRefreshInterval: intervalMs,
  });
  await callLoop(url, calls, 8, (task) => limiter.schedule(task));
  await limiter.stop({ dropWaitingJobs: false });
}

/** p-queue running the same no-op batches: fetch each batch's pages, bounded, results consumed. */
export async function pQueueNoop(batches: readonly Batch[], source: Source, concurrency: number): Promise<number> {
  const queue = new PQueue({ concurrency });
  const signal = new AbortController().signal;
  const ctx: CallContext = { call: (fn) => fn(signal), signal };
  let done = 0;
  for (const batch of batches) {
    await queue.onSizeLessThan(concurrency);
    void queue.add(async () => {
      const pages: Page[] = [];
      for await (const p of source.fetch(batch, ctx)) pages.push(p);
      done++;
    });
  }
  await queue.onIdle();
  return done;
}
