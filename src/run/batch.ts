/**
 * One batch: fetch its pages through the call context, collect them (pages kept as the source
 * gave them, no row copying), and turn the result into an outcome.
 */
import type { Batch, Page } from '../core/types.js';
import type { Source } from '../core/source.js';
import { ErrorCodes, SluiceError, isSluiceError, messageOf } from '../core/errors.js';
import { scrub } from '../core/secrets.js';
import { BatchCalls, abortedError, type RunContext } from './call.js';
import { openRun, type ExecutorOptions } from './options.js';
import type { Ticket } from './budget.js';
import type { BatchOutcome } from './outcome.js';

/** Internal result: an outcome, or a reason the run must stop. */
export type BatchResult =
  BatchOutcome | { readonly status: 'fatal'; readonly error: SluiceError } | { readonly status: 'aborted' };

/**
 * Run one batch; never rejects (a crash in `split` or in an event listener becomes a failed
 * outcome). One async function, not a chain of .catch() on an inner one: that would cost a
 * promise and a microtask hop per batch.
 */
export async function runOne(
  batch: Batch,
  source: Source,
  run: RunContext,
  split: ExecutorOptions['split'],
  ticket?: Ticket,
): Promise<BatchResult> {
  try {
    const ev = run.events;
    const t0 = run.clock.now();
    if (ev?.has('batch:start')) ev.emit('batch:start', { key: batch.key, tMs: Date.now() });
    const ctx = new BatchCalls(batch, run, ticket);
    const pages: Page[] = [];
    let rowCount = 0;
    let fields: readonly string[] | undefined;
    try {
      for await (const page of source.fetch(batch, ctx)) {
        pages.push(page);
        rowCount += page.items.length;
        if (fields === undefined && page.fields.length > 0) fields = page.fields;
      }
    } catch (e) {
      return failure(e, batch, ctx.attempts, run, split);
    }
    const ms = run.clock.now() - t0;
    if (ev?.has('batch:done'))
      ev.emit('batch:done', { key: batch.key, tMs: Date.now(), rows: rowCount, calls: ctx.calls, ms });
    return {
      status: 'done',
      batch,
      rows: { fields: fields ?? source.fields ?? [], pages, rowCount },
      attempts: ctx.attempts,
      calls: ctx.calls,
      ms,
    };
  } catch (e) {
    const error = new SluiceError(
      ErrorCodes.RETRYABLE,
      `batch crashed: ${scrub(messageOf(e))}`,
      { batchKey: batch.key },
      { cause: e },
    );
    return { status: 'failed', batch, error, attempts: 0 };
  }
}

/** The source failed: stop the run, split the batch, or fail it. */
function failure(
  e: unknown,
  batch: Batch,
  attempts: number,
  run: RunContext,
  split: ExecutorOptions['split'],
): BatchResult {
  if (run.aborted) return { status: 'aborted' };
  const ev = run.events;
  const error = isSluiceError(e)
    ? e
    : new SluiceError(ErrorCodes.RETRYABLE, `source failed: ${scrub(messageOf(e))}`, {}, { cause: e });
  error.context.batchKey ??= batch.key;
  if (error.kind === 'fatal') return { status: 'fatal', error };
  if (error.kind === 'overflow') {
    const children = split?.(batch);
    if (children && children.length > 0) {
      if (ev?.has('batch:split'))
        ev.emit('batch:split', { key: batch.key, tMs: Date.now(), children: children.map((c) => c.key) });
      return { status: 'split', batch, children };
    }
  }
  if (ev?.has('batch:fail'))
    ev.emit('batch:fail', { key: batch.key, tMs: Date.now(), error: error.message, code: error.code });
  return { status: 'failed', batch, error, attempts };
}

/**
 * Run ONE batch with the executor's call, pacing and retry logic. Split children are returned in
 * the outcome, not run. A fatal error comes back as a failed outcome whose `error.kind` is
 * 'fatal'; a cancelled run as a failed outcome with code SLUICE_ABORTED.
 * @example
 * ```ts
 * import { runBatch } from 'sluice';
 * const outcome = await runBatch({ key: 'q1', params: { start_date: '20240101', end_date: '20240331' } }, { source });
 * if (outcome.status === 'failed') console.error(outcome.error.code);
 * ```
 */
export async function runBatch(batch: Batch, options: ExecutorOptions): Promise<BatchOutcome> {
  const setup = openRun(options);
  setup.counter.inflight = 1;
  try {
    const r = await runOne(batch, options.source, setup.run, options.split);
    if (r.status === 'fatal') return { status: 'failed', batch, error: r.error, attempts: 1 };
    if (r.status === 'aborted') return { status: 'failed', batch, error: abortedError(setup.run.signal), attempts: 1 };
    return r;
  } finally {
    await setup.run.calls.settled();
    setup.run.calls.dispose();
    setup.dispose();
  }
}
