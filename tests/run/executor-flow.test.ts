import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execute, runBatch, type BatchOutcome } from '../../src/run/index.js';
import { Emitter } from '../../src/core/events.js';
import type { Batch } from '../../src/core/types.js';
import { FakeSource, expectedRows, splitWindow, windowBatch, hang } from '../helpers/run-fake-source.js';

async function collect(it: AsyncIterable<BatchOutcome>): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

function keyBatches(n: number): Batch[] {
  return Array.from({ length: n }, (_, i) => ({ key: `b${i}`, params: { i } }));
}

describe('execute: flow', () => {
  test('runs every batch once and collects its pages without copying rows', async () => {
    const source = new FakeSource({ rowCap: 3 });
    const batch = windowBatch('2024-01-01', '2024-01-10');
    const [o] = await collect(execute([batch], { source }));
    assert.equal(o.status, 'done');
    if (o.status !== 'done') return;
    const rows = o.rows.pages.flatMap((p) => p.items);
    assert.deepEqual(rows, expectedRows(batch.window!));
    assert.equal(o.rows.rowCount, rows.length);
    assert.deepEqual(o.rows.fields, ['date', 'i']);
    assert.equal(o.calls, Math.floor(rows.length / 3) + 1);
    assert.equal(o.attempts, 1);
  });

  test('never has more batches in flight than the concurrency', async () => {
    const source = new FakeSource({ onCall: () => new Promise((r) => setTimeout(r, 2)) });
    const outcomes = await collect(execute(keyBatches(40), { source, concurrency: 3 }));
    assert.equal(outcomes.length, 40);
    assert.equal(source.maxRunning, 3);
  });

  test('outcomes stream in completion order', async () => {
    const delays: Record<string, number> = { b0: 40, b1: 1, b2: 15 };
    const source = new FakeSource({ onCall: (b) => new Promise((r) => setTimeout(r, delays[b.key])) });
    const outcomes = await collect(execute(keyBatches(3), { source, concurrency: 3 }));
    assert.deepEqual(
      outcomes.map((o) => o.batch.key),
      ['b1', 'b2', 'b0'],
    );
  });

  test('split on overflow returns exactly the rows of the original window', async () => {
    const source = new FakeSource({ maxRows: 7, rowCap: 3 });
    const batch = windowBatch('2024-01-01', '2024-02-15');
    const outcomes = await collect(execute([batch], { source, split: splitWindow, concurrency: 4 }));
    const done = outcomes.filter((o) => o.status === 'done');
    const splits = outcomes.filter((o) => o.status === 'split');
    assert.ok(splits.length > 3, 'the window had to be split repeatedly');
    assert.equal(outcomes.filter((o) => o.status === 'failed').length, 0);
    const rows = done
      .sort((a, b) => a.batch.window!.start.localeCompare(b.batch.window!.start))
      .flatMap((o) => (o.status === 'done' ? o.rows.pages.flatMap((p) => p.items) : []));
    assert.deepEqual(rows, expectedRows(batch.window!));
  });

  test('an overflow that cannot be split fails the batch and the run goes on', async () => {
    const source = new FakeSource({ maxRows: 0 });
    const outcomes = await collect(
      execute([windowBatch('2024-01-03', '2024-01-03'), { key: 'plain', params: {} }], { source, split: splitWindow }),
    );
    const failed = outcomes.find((o) => o.status === 'failed');
    assert.equal(failed?.status === 'failed' && failed.error.code, 'SLUICE_OVERFLOW');
  });

  test('a split function that throws fails that batch (retryable) and the run goes on', async () => {
    const source = new FakeSource({ maxRows: 0 });
    const split = (b: Batch): Batch[] | undefined => {
      if (b.window) throw new Error('split broke');
      return undefined;
    };
    const outcomes = await collect(
      execute([windowBatch('2024-01-03', '2024-01-04'), { key: 'plain', params: {} }], { source, split }),
    );
    assert.equal(outcomes.length, 2);
    const crashed = outcomes.find((o) => o.batch.key !== 'plain');
    assert.ok(
      crashed?.status === 'failed' &&
        crashed.error.kind === 'retryable' &&
        /batch crashed: split broke/.test(crashed.error.message),
    );
    const plain = outcomes.find((o) => o.batch.key === 'plain');
    assert.equal(plain?.status === 'failed' && plain.error.code, 'SLUICE_OVERFLOW');
  });

  test('backpressure: a consumer that does not pull bounds the batches started', async () => {
    const source = new FakeSource();
    let produced = 0;
    function* input(): Generator<Batch> {
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield { key: `b${i}`, params: {} };
      }
    }
    const it = execute(input(), { source, concurrency: 5 })[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(source.calls <= 6, `started ${source.calls} calls while the consumer slept`);
    assert.ok(produced <= 6, `read ${produced} input batches`);
    await it.return?.();
  });

  test('memory stays flat: 20 000 batches through concurrency 8', async () => {
    const source = new FakeSource();
    let n = 0;
    for await (const o of execute(keyBatches(20_000), { source, concurrency: 8 })) if (o.status === 'done') n++;
    assert.equal(n, 20_000);
  });

  test('consumer breaking out early aborts in-flight calls and leaves none running', async () => {
    const source = new FakeSource({ onCall: (b, _p, signal) => (b.key === 'b0' ? undefined : hang(signal)) });
    for await (const o of execute(keyBatches(10), { source, concurrency: 4 })) {
      assert.equal(o.batch.key, 'b0');
      break;
    }
    assert.equal(source.running, 0);
  });

  test('events: batch and call events in order for one batch', async () => {
    const events = new Emitter();
    const seen: string[] = [];
    for (const name of ['batch:start', 'batch:done', 'call:start', 'call:end'] as const)
      events.on(name, () => seen.push(name));
    await collect(execute(keyBatches(1), { source: new FakeSource(), events }));
    assert.deepEqual(seen, ['batch:start', 'call:start', 'call:end', 'batch:done']);
  });

  test('runBatch runs one batch and returns split children without running them', async () => {
    const source = new FakeSource({ maxRows: 5 });
    const o = await runBatch(windowBatch('2024-01-01', '2024-01-31'), { source, split: splitWindow });
    assert.equal(o.status, 'split');
    assert.equal(source.calls, 1);
    if (o.status === 'split') assert.equal(o.children.length, 2);
    const ok = await runBatch({ key: 'x', params: {} }, { source });
    assert.equal(ok.status, 'done');
  });

  test('bad options are refused with a usage error naming the option', async () => {
    await assert.rejects(collect(execute(keyBatches(1), { source: new FakeSource(), concurrency: 0 })), /concurrency/);
    await assert.rejects(collect(execute(keyBatches(1), { source: new FakeSource(), retries: -1 })), {
      code: 'SLUICE_USAGE',
    });
  });

  test('after the end, next() keeps answering done', async () => {
    const it = execute(keyBatches(1), { source: new FakeSource() });
    assert.equal((await it.next()).done, false);
    assert.equal((await it.next()).done, true);
    assert.equal((await it.next()).done, true);
  });

  test('async input is read lazily and fully', async () => {
    async function* input(): AsyncGenerator<Batch> {
      for (let i = 0; i < 25; i++) {
        await new Promise((r) => setImmediate(r));
        yield { key: `a${i}`, params: {} };
      }
    }
    const outcomes = await collect(execute(input(), { source: new FakeSource(), concurrency: 4 }));
    assert.equal(outcomes.length, 25);
    assert.equal(new Set(outcomes.map((o) => o.batch.key)).size, 25);
  });
});
