/**
 * execute(): run batches with a bounded number in flight and stream outcomes in completion order.
 *
 * Backpressure: work starts only while the consumer asks for outcomes (inside `next()` or while a
 * `next()` is pending), and only while (in flight + finished but not yet consumed) < limit. A
 * consumer that stops pulling therefore holds at most `limit` batches in memory, and the input is
 * read lazily. The row budget (maxRowsHeld, budget.ts) bounds the rows held across those batches:
 * the rows of the outcome the consumer took last count until it calls next() again.
 * Overflowed batches are split and their children run before new input.
 * A fatal error aborts every call of the run at once; outcomes that had already finished are
 * yielded, then the iterator throws the fatal SluiceError. Cancellation (options.signal) ends the
 * iterator normally after the finished outcomes; batches cut short by it or by a fatal error are
 * not yielded. The iterator never ends while a call of its run is still running.
 * (A hand-written async iterator rather than an async generator: one promise hop less per batch.)
 */
import type { Batch } from '../core/types.js';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { runOne, type BatchResult } from './batch.js';
import { openRun, type ExecutorOptions, type RunSetup } from './options.js';
import type { BatchOutcome } from './outcome.js';
import type { RowBudget, Ticket } from './budget.js';

type Next = IteratorResult<Batch> | Promise<IteratorResult<Batch>>;
type Result = IteratorResult<BatchOutcome, undefined>;

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

const DONE: Result = { value: undefined, done: true };

class Execution implements AsyncIterableIterator<BatchOutcome> {
  private setup: RunSetup | undefined;
  private input: Input | undefined;
  private readonly children: Batch[] = [];
  private ready: BatchOutcome[] = [];
  /** Rows each ready outcome holds in the row budget (same indexes as `ready`; unused without one). */
  private readyRows: number[] = [];
  private readyHead = 0;
  /** Rows of the outcome the consumer took last, released when it asks for the next one. */
  private takenRows = 0;
  private inputDone = false;
  private inputWaiting = false;
  private buffered: Batch | undefined;
  private stopError: unknown;
  private fatal: SluiceError | undefined;
  private waiting: { resolve: (r: Result) => void; reject: (e: unknown) => void } | undefined;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly finishBound = (r: BatchResult): void => this.finish(r);
  private readonly pumpBound = (): void => this.pump();

  constructor(
    private readonly batches: Iterable<Batch> | AsyncIterable<Batch>,
    private readonly options: ExecutorOptions,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Result> {
    if (this.closing) return this.end();
    if (!this.setup) {
      try {
        // (the abort hook is set here, not by addEventListener in this hot method: every run's
        // signal has a new hidden class on Node 20, which would deoptimize next() run after run)
        this.setup = openRun(this.options, this.pumpBound);
      } catch (e) {
        return Promise.reject(e);
      }
      this.input = openInput(this.batches);
    }
    if (this.takenRows > 0) {
      const rows = this.takenRows;
      this.takenRows = 0;
      (this.setup.budget as RowBudget).release(rows);
    }
    this.fill();
    if (this.readyHead < this.ready.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.over()) return this.end();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async return(): Promise<Result> {
    const setup = this.setup;
    if (setup && !this.closing && !this.over() && !setup.run.aborted) {
      setup.controller.abort(new SluiceError(ErrorCodes.ABORTED, 'consumer stopped reading outcomes'));
    }
    this.fatal = undefined;
    this.stopError = undefined;
    await this.close();
    return DONE;
  }

  private take(): BatchOutcome {
    const outcome = this.ready[this.readyHead];
    if (this.readyRows.length > 0) this.takenRows = this.readyRows[this.readyHead];
    this.ready[this.readyHead++] = undefined as unknown as BatchOutcome;
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      if (this.readyRows.length > 0) this.readyRows = this.readyRows.slice(this.readyHead);
      this.readyHead = 0;
    }
    return outcome;
  }

  private over(): boolean {
    const s = this.setup as RunSetup;
    if (s.counter.inflight > 0 || this.readyHead < this.ready.length) return false;
    if (s.run.aborted) return true;
    return this.inputDone && this.children.length === 0 && this.buffered === undefined && !this.inputWaiting;
  }

  /**
   * Start batches while the limit allows, and while the row budget has room for a page (or
   * nothing is in flight: the run must go on).
   */
  private fill(): void {
    const s = this.setup as RunSetup;
    const budget = s.budget;
    while (!s.run.aborted && s.counter.inflight + this.ready.length - this.readyHead < s.limit.current) {
      if (budget !== undefined && s.counter.inflight > 0 && !budget.roomForPage()) return;
      const b = this.children.pop() ?? this.pull();
      if (b === undefined) return;
      s.counter.inflight++;
      this.concurrencyEvent();
      if (budget === undefined) {
        void runOne(b, this.options.source, s.run, this.options.split).then(this.finishBound);
      } else {
        const ticket = budget.open(b.key);
        void runOne(b, this.options.source, s.run, this.options.split, ticket).then((r) => this.finish(r, ticket));
      }
    }
  }

  private pull(): Batch | undefined {
    if (this.buffered !== undefined) {
      const b = this.buffered;
      this.buffered = undefined;
      return b;
    }
    if (this.inputDone || this.inputWaiting) return undefined;
    const r = (this.input as Input).next();
    if (r instanceof Promise) {
      this.inputWaiting = true;
      r.then(
        (res) => {
          this.inputWaiting = false;
          if (res.done) this.inputDone = true;
          else this.buffered = res.value;
          this.pump();
        },
        (e: unknown) => {
          this.inputWaiting = false;
          this.inputDone = true;
          this.stopError ??= e;
          this.setup?.controller.abort(e);
          this.pump();
        },
      );
      return undefined;
    }
    if (r.done) {
      this.inputDone = true;
      return undefined;
    }
    return r.value;
  }

  private finish(r: BatchResult, ticket?: Ticket): void {
    const s = this.setup as RunSetup;
    s.counter.inflight--;
    if (r.status === 'fatal') {
      if (!this.fatal && !this.closing) {
        this.fatal = r.error;
        s.controller.abort(r.error);
      }
    } else if (r.status !== 'aborted') {
      this.ready.push(r);
      if (ticket !== undefined) this.readyRows.push(r.status === 'done' ? ticket.rows : 0);
      if (r.status === 'split' && !s.run.aborted) {
        for (let i = r.children.length - 1; i >= 0; i--) this.children.push(r.children[i]);
      }
    }
    // a done batch's rows stay held by its outcome; any other batch's rows are dropped
    if (ticket !== undefined) ticket.budget.close(ticket, r.status === 'done');
    this.concurrencyEvent();
    if (s.counter.inflight === 0) this.drained?.();
    this.pump();
  }

  /** A pending next() gets the next outcome, or the end. */
  private pump(): void {
    const w = this.waiting;
    if (!w || this.closing) return;
    this.fill();
    if (this.readyHead < this.ready.length) {
      this.waiting = undefined;
      w.resolve({ value: this.take(), done: false });
    } else if (this.over()) {
      this.waiting = undefined;
      this.end().then(w.resolve, w.reject);
    }
  }

  /** Close the run, then report its end once: the fatal error or input error, else done. */
  private async end(): Promise<Result> {
    await this.close();
    const error = this.fatal ?? this.stopError;
    this.fatal = undefined;
    this.stopError = undefined;
    if (error !== undefined) throw error;
    return DONE;
  }

  private close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const s = this.setup;
    if (!s) return;
    if (!this.inputDone) this.input?.close();
    if (s.counter.inflight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    await s.run.calls.settled();
    s.run.calls.dispose();
    s.dispose();
  }

  private concurrencyEvent(): void {
    const ev = this.options.events;
    const s = this.setup as RunSetup;
    if (ev?.has('concurrency'))
      ev.emit('concurrency', { tMs: Date.now(), limit: s.limit.current, inflight: s.counter.inflight });
  }
}

/**
 * Runs batches with bounded concurrency, paced calls, retries with backoff, timeouts and splits on
 * overflow, and yields each batch's outcome in completion order. Pulling drives it: a consumer that
 * stops pulling pauses fetching (backpressure); breaking out of the loop or aborting `signal`
 * stops the run and aborts calls in flight. A fatal error (bad token, no permission) makes the
 * iterator throw it.
 * @example
 * ```ts
 * import { execute, planJob, createTushareSource } from 'sluice';
 * const source = createTushareSource({ token: process.env.TUSHARE_TOKEN!, api: 'daily' });
 * const { batches } = planJob({ start: '20240101', end: '20240331', strategy: 'month' });
 * for await (const outcome of execute(batches, {
 *   source,
 *   concurrency: 4,
 *   pacer: { calls: 500, intervalMs: 60_000 },
 * })) {
 *   if (outcome.status === 'done') console.log(outcome.batch.key, outcome.rows.rowCount);
 * }
 * ```
 */
export function execute(
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  options: ExecutorOptions,
): AsyncIterableIterator<BatchOutcome> {
  return new Execution(batches, options);
}
