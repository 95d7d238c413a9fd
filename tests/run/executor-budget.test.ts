import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { execute, type BatchOutcome, type ExecutorOptions } from '../../src/run/index.js';
import { Emitter } from '../../src/core/events.js';
import type { Source, CallContext } from '../../src/core/source.js';
import type { Batch, Page } from '../../src/core/types.js';
import type { Pacer } from '../../src/core/pacing.js';

/** Let other callbacks run for `n` turns of the event loop. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A source whose batch `b<i>` holds sizes[i] rows, paged by rowCap. It keeps the rows the run
 * holds as seen from outside: a page counts from the moment its call returns until the consumer
 * releases the batch's outcome (by asking for the next one); `peak` is the most ever seen.
 */
class SizedSource implements Source {
  readonly api = 'sized';
  readonly fields = ['i'];
  live = 0;
  peak = 0;
  calls = 0;
  readonly fetched = new Map<string, number>();

  constructor(
    readonly rowCap: number,
    private readonly sizes: readonly number[],
    private readonly delay: (key: string, page: number) => number,
    private readonly onCall?: (key: string, page: number, signal: AbortSignal) => Promise<void> | void,
  ) {}

  release(key: string): void {
    this.live -= this.fetched.get(key) ?? 0;
    this.fetched.delete(key);
  }

  async *fetch(batch: Batch, ctx: CallContext): AsyncIterable<Page> {
    const size = this.sizes[Number(batch.params.i)];
    for (let page = 0; ; page++) {
      const got = await ctx.call(
        async (signal) => {
          this.calls++;
          await this.onCall?.(batch.key, page, signal);
          await ticks(this.delay(batch.key, page));
          const n = Math.max(0, Math.min(this.rowCap, size - page * this.rowCap));
          this.live += n;
          this.peak = Math.max(this.peak, this.live);
          this.fetched.set(batch.key, (this.fetched.get(batch.key) ?? 0) + n);
          return { fields: this.fields, items: Array.from({ length: n }, (_, j) => [page * this.rowCap + j]) };
        },
        { page },
      );
      if (got.items.length > 0) yield got;
      if (got.items.length < this.rowCap) return;
    }
  }
}

function batchesOf(n: number): Batch[] {
  return Array.from({ length: n }, (_, i) => ({ key: `b${i}`, params: { i } }));
}

/** Consume like the local engine: take an outcome, hold it for a while, then ask for the next. */
async function consume(
  source: SizedSource,
  it: AsyncIterator<BatchOutcome>,
  hold: (i: number) => number,
): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    out.push(r.value);
    await ticks(hold(out.length));
    source.release(r.value.batch.key);
  }
}

/** Fails instead of hanging when the run never ends (a deadlock). */
function deadline<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the run did not end: deadlock')), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

describe('execute: row budget (maxRowsHeld)', () => {
  test('rows held never exceed budget + the largest batch + one page; every batch completes once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sizes: fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 14 }),
          rowCap: fc.integer({ min: 1, max: 12 }),
          budget: fc.integer({ min: 1, max: 120 }),
          concurrency: fc.integer({ min: 1, max: 6 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        async ({ sizes, rowCap, budget, concurrency, seed }) => {
          let x = seed;
          const rnd = (k: number): number => {
            x = (x * 1103515245 + 12345) & 0x7fffffff;
            return x % k;
          };
          const source = new SizedSource(rowCap, sizes, () => rnd(3));
          const it = execute(batchesOf(sizes.length), { source, concurrency, maxRowsHeld: budget });
          const out = await deadline(consume(source, it, () => rnd(4)));
          const bound = budget + Math.max(...sizes) + rowCap;
          assert.ok(source.peak <= bound, `peak ${source.peak} > ${bound}`);
          assert.deepEqual(
            out.map((o) => o.batch.key).sort(),
            batchesOf(sizes.length)
              .map((b) => b.key)
              .sort(),
          );
          for (const o of out) {
            assert.equal(o.status, 'done');
            if (o.status === 'done') assert.equal(o.rows.rowCount, sizes[Number(o.batch.params.i)]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('the budget binds: a slow consumer with it holds far fewer rows than without it', async () => {
    const sizes = Array.from({ length: 10 }, () => 40);
    const peakWith = async (maxRowsHeld: number): Promise<number> => {
      const source = new SizedSource(4, sizes, () => 1);
      await deadline(consume(source, execute(batchesOf(10), { source, concurrency: 4, maxRowsHeld }), () => 30));
      return source.peak;
    };
    const limited = await peakWith(20);
    const unlimited = await peakWith(0);
    assert.ok(limited <= 20 + 40 + 4, `limited peak ${limited}`);
    assert.ok(unlimited > 20 + 40 + 4, `unlimited peak ${unlimited}`);
  });

  test('every batch larger than the whole budget: the run still completes (no deadlock)', async () => {
    const sizes = Array.from({ length: 12 }, (_, i) => 50 + i);
    const source = new SizedSource(5, sizes, (key, page) => (Number(key.slice(1)) + page) % 3);
    const out = await deadline(
      consume(source, execute(batchesOf(12), { source, concurrency: 4, maxRowsHeld: 3 }), (i) => i % 2),
    );
    assert.equal(out.length, 12);
    assert.ok(out.every((o) => o.status === 'done'));
    assert.ok(source.peak <= 3 + 61 + 5, `peak ${source.peak}`);
  });

  test('a batch waiting for rows takes no pacing slot, and cancellation wakes it at once', async () => {
    let acquired = 0;
    const pacer: Pacer = {
      tryAcquire: () => {
        acquired++;
        return true;
      },
      acquire: async () => {
        acquired++;
      },
      onRateLimited: () => {},
      onSuccess: () => {},
      rate: () => Infinity,
    };
    const called: string[] = [];
    // budget 5, pages of 5: b0 (10 rows) finishes and the consumer keeps its outcome; b1 must wait
    const source = new SizedSource(
      5,
      [10, 100],
      () => 0,
      (key, page) => {
        called.push(`${key}:${page}`);
      },
    );
    const events = new Emitter();
    const waits: string[] = [];
    events.on('rows:wait', (e) => waits.push(e.key));
    const ac = new AbortController();
    const options: ExecutorOptions = { source, concurrency: 2, maxRowsHeld: 5, pacer, events, signal: ac.signal };
    const it = execute(batchesOf(2), options);
    const first = await it.next();
    assert.equal(first.done ? undefined : first.value.batch.key, 'b0');
    await ticks(10);
    assert.deepEqual(called, ['b0:0', 'b0:1', 'b0:2']);
    assert.equal(acquired, 3, 'only the calls that were made took pacing slots');
    ac.abort();
    // the consumer still holds b0's rows: only the abort can end b1's wait, and return() waits for it
    await deadline(it.return!(), 5_000);
    assert.deepEqual(called, ['b0:0', 'b0:1', 'b0:2'], 'b1 never called');
    assert.equal(acquired, 3);
    assert.deepEqual(waits, [], 'the cancelled wait is not reported as a finished one');
  });

  test('a waiting batch goes on when the consumer releases rows, and the wait is reported', async () => {
    const source = new SizedSource(5, [10, 10, 10], () => 1);
    const events = new Emitter();
    const waits: Array<{ key: string; held: number; max: number }> = [];
    events.on('rows:wait', (e) => waits.push({ key: e.key, held: e.heldRows, max: e.maxRowsHeld }));
    const out = await deadline(
      consume(source, execute(batchesOf(3), { source, concurrency: 3, maxRowsHeld: 10, events }), () => 5),
    );
    assert.equal(out.length, 3);
    assert.ok(waits.length > 0, 'some call waited for rows');
    assert.ok(waits.every((w) => w.max === 10));
  });

  test('maxRowsHeld must be an integer >= 0', async () => {
    const source = new SizedSource(5, [1], () => 0);
    await assert.rejects(execute(batchesOf(1), { source, maxRowsHeld: -1 }).next(), /maxRowsHeld/);
    await assert.rejects(execute(batchesOf(1), { source, maxRowsHeld: 1.5 }).next(), /maxRowsHeld/);
  });
});
