import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execute, type BatchOutcome } from '../../src/run/index.js';
import { ErrorCodes, SluiceError } from '../../src/core/errors.js';
import { Emitter } from '../../src/core/events.js';
import type { Batch } from '../../src/core/types.js';
import { FakeClock } from '../helpers/run-fake-clock.js';
import { FakeSource, hang } from '../helpers/run-fake-source.js';

const fast = { backoff: { baseMs: 1, maxMs: 4 } } as const;

function keyBatches(n: number): Batch[] {
  return Array.from({ length: n }, (_, i) => ({ key: `b${i}`, params: { i } }));
}

async function collect(it: AsyncIterable<BatchOutcome>): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

/** Collects on a fake clock: advances it in steps until the run ends (the waits cost no real time). */
async function collectOn(clock: FakeClock, it: AsyncIterable<BatchOutcome>): Promise<BatchOutcome[]> {
  let settled = false;
  const result = collect(it).finally(() => {
    settled = true;
  });
  for (let step = 0; !settled && step < 100_000; step++) await clock.advance(50);
  return result;
}

describe('execute: failures', () => {
  test('transient errors are retried and the batch succeeds', async () => {
    const tries = new Map<string, number>();
    const source = new FakeSource({
      onCall: (b) => {
        const n = (tries.get(b.key) ?? 0) + 1;
        tries.set(b.key, n);
        if (n <= 2) throw n === 1 ? new TypeError('fetch failed') : new SluiceError(ErrorCodes.RETRYABLE, 'HTTP 502');
      },
    });
    const outcomes = await collect(execute(keyBatches(3), { source, ...fast }));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['done', 'done', 'done'],
    );
    for (const o of outcomes) if (o.status === 'done') assert.equal(o.attempts, 3);
    assert.equal(source.calls, 9);
  });

  test('exhausted retries fail that batch with the last error; the others go on', async () => {
    const source = new FakeSource({
      onCall: (b) => {
        if (b.key === 'b1') throw new SluiceError(ErrorCodes.RETRYABLE, 'HTTP 503');
      },
    });
    const outcomes = await collect(execute(keyBatches(4), { source, retries: 2, ...fast }));
    const failed = outcomes.filter((o) => o.status === 'failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].batch.key, 'b1');
    assert.equal(failed[0].status === 'failed' && failed[0].error.code, 'SLUICE_RETRYABLE');
    assert.equal(failed[0].status === 'failed' && failed[0].attempts, 3);
    assert.equal(outcomes.filter((o) => o.status === 'done').length, 3);
    assert.equal(source.calls, 3 + 3);
  });

  test('rate-limited answers are retried without counting as failed attempts', async () => {
    let n = 0;
    const waits: string[] = [];
    const events = new Emitter();
    events.on('pace:wait', (p) => waits.push(p.reason));
    const source = new FakeSource({
      onCall: () => {
        if (++n <= 4) throw new SluiceError(ErrorCodes.RATE_LIMITED, 'too many calls', { retryAfterMs: 1 });
      },
    });
    const clock = new FakeClock();
    const outcomes = await collectOn(clock, execute(keyBatches(1), { source, retries: 0, events, clock, ...fast }));
    assert.equal(outcomes[0].status, 'done');
    assert.equal(n, 5);
    assert.deepEqual(waits, ['rate-limited', 'rate-limited', 'rate-limited', 'rate-limited']);
  });

  test('rate-limit retries are bounded so a wrong quota cannot loop forever', async () => {
    const source = new FakeSource({
      onCall: () => {
        throw new SluiceError(ErrorCodes.RATE_LIMITED, 'too many calls', { retryAfterMs: 0 });
      },
    });
    const clock = new FakeClock();
    const outcomes = await collectOn(clock, execute(keyBatches(1), { source, maxRateLimitRetries: 7, clock, ...fast }));
    assert.equal(outcomes[0].status, 'failed');
    assert.equal(source.calls, 8);
    // the refusals made the run wait (on the fake clock), yet it ended
    assert.ok(clock.now() > 0);
  });

  test('a fatal error stops the run at once: no retry, in-flight calls aborted, iterator throws', async () => {
    const source = new FakeSource({
      onCall: (b, _p, signal) => {
        if (b.key === 'b3') throw new SluiceError(ErrorCodes.AUTH, 'bad token', { upstreamCode: 40101 });
        if (Number(b.key.slice(1)) < 3) return;
        return hang(signal);
      },
    });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const o of execute(keyBatches(1000), { source, concurrency: 4, ...fast })) seen.push(o.batch.key);
      })(),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_AUTH' && e.context.batchKey === 'b3',
    );
    assert.deepEqual(seen.sort(), ['b0', 'b1', 'b2']);
    // b0..b3 plus at most the few batches started while b3 was failing: nothing after the fatal
    assert.ok(source.calls <= 8, `calls made: ${source.calls}`);
    const callsAtStop = source.calls;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(source.calls, callsAtStop);
    assert.equal(source.running, 0);
  });

  test('cancellation: no new calls, in-flight aborted, finished outcomes drained, normal end', async () => {
    const ac = new AbortController();
    const source = new FakeSource({
      onCall: (b, _p, signal) => (Number(b.key.slice(1)) < 5 ? undefined : hang(signal)),
    });
    const seen: string[] = [];
    for await (const o of execute(keyBatches(100), { source, concurrency: 3, signal: ac.signal })) {
      seen.push(o.batch.key);
      if (seen.length === 5) setTimeout(() => ac.abort(), 5);
    }
    assert.equal(ac.signal.aborted, true);
    assert.deepEqual(seen, ['b0', 'b1', 'b2', 'b3', 'b4']);
    assert.equal(source.running, 0, 'no call may still be running');
    assert.ok(source.calls <= 8);
  });

  test('an already-aborted signal starts nothing', async () => {
    const source = new FakeSource();
    const outcomes = await collect(execute(keyBatches(10), { source, signal: AbortSignal.abort() }));
    assert.equal(outcomes.length, 0);
    assert.equal(source.calls, 0);
  });

  test('a hung call times out and is retried as retryable', async () => {
    let n = 0;
    const ends: string[] = [];
    const events = new Emitter();
    events.on('call:end', (p) => ends.push(p.status));
    const source = new FakeSource({ onCall: (_b, _p, signal) => (++n === 1 ? hang(signal) : undefined) });
    const outcomes = await collect(execute(keyBatches(1), { source, timeoutMs: 30, events, ...fast }));
    assert.equal(outcomes[0].status, 'done');
    assert.deepEqual(ends, ['retryable', 'ok']);
  });

  test('bad parameters are fatal and never retried', async () => {
    const source = new FakeSource({
      onCall: () => {
        throw new SluiceError(ErrorCodes.BAD_PARAM, 'unknown field', { upstreamCode: -2001 });
      },
    });
    await assert.rejects(collect(execute(keyBatches(1), { source, retries: 5, ...fast })), {
      code: 'SLUICE_BAD_PARAM',
    });
    assert.equal(source.calls, 1);
  });
});
