/**
 * execute(): run batches with a bounded number in flight and stream outcomes in completion order.
 *
 * Backpressure: work starts only inside the generator's body, i.e. while the consumer pulls, and
 * only while (in flight + finished but not yet consumed) < limit. A consumer that stops pulling
 * therefore holds at most `limit` batches in memory, and the input is read lazily.
 * Overflowed batches are split and their children run before new input. A fatal error aborts
 * every call of the run at once; outcomes that had already finished are yielded, then the
 * iterator throws the fatal SluiceError. Cancellation (options.signal) ends the iterator normally
 * after the finished outcomes; batches cut short by it or by a fatal error are not yielded.
 * The iterator never ends while a call of its run is still running.
 */
import type { Batch } from '../core/types.js';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { runOne, type BatchResult } from './batch.js';
import { openRun, type ExecutorOptions } from './options.js';
import type { BatchOutcome } from './outcome.js';

type Next = IteratorResult<Batch> | Promise<IteratorResult<Batch>>;

interface Input {
  next(): Next;
  close(): void;
}

function openInput(batches: Iterable<Batch> | AsyncIterable<Batch>): Input {
  if (Symbol.iterator in batches) {
    const it = (batches as Iterable<Batch>)[Symbol.iterator]();
    return { next: () => it.next(), close: () => void it.return?.() };
  }
  const it = (batches as AsyncIterable<Batch>)[Symbol.asyncIterator]();
  return { next: () => it.next(), close: () => void it.return?.()?.catch(() => {}) };
}

export async function* execute(
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  options: ExecutorOptions,
): AsyncGenerator<BatchOutcome, void, undefined> {
  const { run, controller, limit, counter, dispose } = openRun(options);
  const ev = options.events;
  const signal = controller.signal;
  const input = openInput(batches);
  const children: Batch[] = [];
  let ready: BatchOutcome[] = [];
  let readyHead = 0;
  let inputDone = false;
  let inputWaiting = false;
  let buffered: Batch | undefined;
  let stopError: unknown;
  let fatal: SluiceError | undefined;
  let wake: (() => void) | undefined;

  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  signal.addEventListener('abort', poke);

  const concurrencyEvent = (): void => {
    if (ev?.has('concurrency')) ev.emit('concurrency', { tMs: Date.now(), limit: limit.current, inflight: counter.inflight });
  };

  const finish = (r: BatchResult): void => {
    counter.inflight--;
    if (r.status === 'fatal') {
      if (!fatal) {
        fatal = r.error;
        controller.abort(r.error);
      }
    } else if (r.status !== 'aborted') {
      ready.push(r);
      if (r.status === 'split' && !signal.aborted) {
        for (let i = r.children.length - 1; i >= 0; i--) children.push(r.children[i]);
      }
    }
    concurrencyEvent();
    poke();
  };

  const start = (batch: Batch): void => {
    counter.inflight++;
    concurrencyEvent();
    void runOne(batch, options.source, run, options.split).then(finish);
  };

  const pull = (): Batch | undefined => {
    if (buffered !== undefined) {
      const b = buffered;
      buffered = undefined;
      return b;
    }
    if (inputDone || inputWaiting) return undefined;
    const r = input.next();
    if (r instanceof Promise) {
      inputWaiting = true;
      r.then(
        (res) => {
          inputWaiting = false;
          if (res.done) inputDone = true;
          else buffered = res.value;
          poke();
        },
        (e: unknown) => {
          inputWaiting = false;
          inputDone = true;
          stopError ??= e;
          controller.abort(e);
          poke();
        },
      );
      return undefined;
    }
    if (r.done) {
      inputDone = true;
      return undefined;
    }
    return r.value;
  };

  let finished = false;
  try {
    for (;;) {
      while (!signal.aborted && counter.inflight + ready.length - readyHead < limit.current) {
        const b = children.pop() ?? pull();
        if (b === undefined) break;
        start(b);
      }
      if (readyHead < ready.length) {
        const outcome = ready[readyHead];
        ready[readyHead++] = undefined as unknown as BatchOutcome;
        if (readyHead > 1024 && readyHead * 2 > ready.length) {
          ready = ready.slice(readyHead);
          readyHead = 0;
        }
        yield outcome;
        continue;
      }
      if (counter.inflight === 0) {
        if (signal.aborted) break;
        if (inputDone && children.length === 0 && buffered === undefined && !inputWaiting) break;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    finished = true;
  } finally {
    signal.removeEventListener('abort', poke);
    if (!finished && !signal.aborted) controller.abort(new SluiceError(ErrorCodes.ABORTED, 'consumer stopped reading outcomes'));
    if (!inputDone) input.close();
    while (counter.inflight > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    await run.calls.settled();
    run.calls.dispose();
    dispose();
  }
  if (fatal) throw fatal;
  if (stopError !== undefined) throw stopError;
}
