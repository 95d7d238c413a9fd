/**
 * A minimal CallContext for driving a source without the executor: each call runs `fn` once
 * (no pacing, no retries) unless `retries` is given, in which case retryable and rate-limited
 * SluiceErrors are retried after their hint (capped at `maxWaitMs`).
 */
import { isSluiceError } from '../../src/core/errors.js';
import type { CallContext, CallInfo, Source } from '../../src/core/source.js';
import type { Batch, Page } from '../../src/core/types.js';

export interface SimpleCallOptions {
  /** Extra attempts for retryable / rate-limited failures. @default 0 */
  readonly retries?: number;
  /** Longest wait between attempts. @default 50 */
  readonly maxWaitMs?: number;
  /** Per-call timeout. @default 10000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface SimpleCallContext extends CallContext {
  /** Calls made (attempts included), and the pages they were for. */
  readonly calls: CallInfo[];
}

export function simpleCall(opts: SimpleCallOptions = {}): SimpleCallContext {
  const calls: CallInfo[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  return {
    calls,
    signal,
    async call(fn: (signal: AbortSignal) => Promise<Page>, info: CallInfo): Promise<Page> {
      for (let attempt = 0; ; attempt++) {
        calls.push(info);
        const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
        try {
          return await fn(AbortSignal.any([signal, timeout]));
        } catch (err) {
          const kind = isSluiceError(err) ? err.kind : 'retryable';
          if (attempt >= (opts.retries ?? 0) || (kind !== 'retryable' && kind !== 'rate-limited')) throw err;
          const hint = isSluiceError(err) ? (err.context.retryAfterMs ?? 0) : 0;
          await new Promise((r) => setTimeout(r, Math.min(hint, opts.maxWaitMs ?? 50)));
        }
      }
    },
  };
}

/** Every page of one batch, collected. */
export async function collect(source: Source, batch: Batch, ctx: CallContext): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const p of source.fetch(batch, ctx)) pages.push(p);
  return pages;
}

/** A batch with the given params. */
export function batchOf(params: Record<string, unknown>, key = 'b1'): Batch {
  return { key, params };
}
