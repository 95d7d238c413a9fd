/**
 * Source contract: a source turns one batch into pages of rows. It does the protocol (requests,
 * pagination, error codes) and nothing else: pacing, timeouts, retries and events belong to the
 * executor, which hands the source a CallContext.
 */
import type { Batch, Page } from './types.js';

/**
 * Which call of a batch this is.
 * @example
 * ```ts
 * await ctx.call((signal) => fetchPage(batch, 2, signal), { page: 2 });
 * ```
 */
export interface CallInfo {
  /** 0-based page index within the batch. */
  readonly page: number;
  /** Row offset the page starts at, when the source pages by offset (named in error messages). */
  readonly offset?: number;
}

/**
 * What the executor hands a source for one batch: every upstream call goes through `call`.
 * @example
 * ```ts
 * const page = await ctx.call(
 *   async (signal) => {
 *     const res = await fetch(url, { signal });
 *     if (res.status === 429) throw new SluiceError(ErrorCodes.RATE_LIMITED, 'HTTP 429');
 *     return { fields: ['date', 'value'], items: await res.json() };
 *   },
 *   { page: 0 },
 * );
 * ```
 */
export interface CallContext {
  /**
   * Perform one upstream call through the executor: it waits for a pacing slot, applies the
   * per-call timeout (through `signal`), times the call, emits call events, and retries the same
   * call on retryable and rate-limited failures. Overflow and fatal failures are re-thrown.
   * `fn` must throw a SluiceError (see errors.ts) to classify a failure; any other error counts
   * as retryable (network reset, DNS, ...).
   */
  call(fn: (signal: AbortSignal) => Promise<Page>, info: CallInfo): Promise<Page>;
  /** The batch's signal: aborted when the run is cancelled. */
  readonly signal: AbortSignal;
}

/**
 * What is known about an API's real row cap: `exact` when a page came back cut at it (more rows
 * followed), `atLeast` when pages of that many rows came back whole. A short page of fewer than
 * `atLeast` rows is certainly the last one.
 */
export interface CapFacts {
  readonly exact?: number;
  readonly atLeast?: number;
}

/**
 * A source turns one batch into pages of rows; pacing, timeouts and retries are the executor's.
 * @example
 * ```ts
 * const source: Source = {
 *   api: 'numbers',
 *   rowCap: 1000,
 *   async *fetch(batch, ctx) {
 *     yield await ctx.call(async () => ({ fields: ['n'], items: [[batch.params.n]] }), { page: 0 });
 *   },
 * };
 * for await (const o of execute([{ key: 'a', params: { n: 1 } }], { source })) console.log(o.status);
 * ```
 */
export interface Source {
  /** Pacing key: the API name (one quota per API). */
  readonly api: string;
  /** Rows one call returns at most (page size). */
  readonly rowCap: number;
  /** Field names the source asks for, when known in advance. */
  readonly fields?: readonly string[];
  /** What the source knows about the server's row cap now (stored for the next run), if it tracks it. */
  capFacts?(): CapFacts;
  /** What earlier runs established about the server's row cap (stored facts); before the first fetch. */
  knownCap?(facts: CapFacts): void;
  /** Pages of one batch, in order. Every upstream request goes through `ctx.call`. */
  fetch(batch: Batch, ctx: CallContext): AsyncIterable<Page>;
}
