/**
 * The circuit breaker: every call to an API failing for afterMs AND afterCalls stops the run with
 * SLUICE_UNAVAILABLE naming the cause; batches in flight are not failed; a success resets it;
 * rate-limit refusals do not count.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, execute, type BatchOutcome } from '../../src/run/index.js';
import { ErrorCodes, SluiceError, isSluiceError } from '../../src/core/errors.js';
import type { Batch } from '../../src/core/types.js';
import { FakeSource } from '../helpers/run-fake-source.js';

const fast = { backoff: { baseMs: 1, maxMs: 2 } } as const;
const batches = (n: number): Batch[] => Array.from({ length: n }, (_, i) => ({ key: `b${i}`, params: { i } }));

describe('circuit breaker', () => {
  test('trips only when both the time and the number of failed calls are reached', () => {
    const b = new CircuitBreaker({ afterMs: 1000, afterCalls: 3 });
    assert.equal(b.onFailure('daily', 0, 502, 'HTTP 502'), undefined);
    assert.equal(b.onFailure('daily', 2000, 502, 'HTTP 502'), undefined, 'two calls are not enough');
    const e = b.onFailure('daily', 2001, 'SLUICE_RETRYABLE', 'network error: ECONNREFUSED 127.0.0.1:7');
    assert.ok(e instanceof SluiceError);
    assert.equal(e.code, ErrorCodes.UNAVAILABLE);
    assert.equal(e.kind, 'fatal');
    assert.match(e.message, /daily: every call failed for 2\.0 s \(3 calls\), most often: HTTP 502 \(2 of 3\)/);
    assert.match(e.message, /--resume/);

    const c = new CircuitBreaker({ afterMs: 1000, afterCalls: 2 });
    for (let t = 0; t < 10; t++) assert.equal(c.onFailure('daily', t, 502, 'x'), undefined, 'too soon');
  });

  test('a success resets the streak; APIs are counted apart', () => {
    const b = new CircuitBreaker({ afterMs: 10, afterCalls: 2 });
    b.onFailure('a', 0, 1, 'x');
    b.onSuccess('a');
    assert.equal(b.onFailure('a', 50, 1, 'x'), undefined, 'a new streak starts at 50');
    assert.equal(b.onFailure('b', 55, 1, 'x'), undefined);
    assert.ok(b.onFailure('a', 60, 1, 'x'));
  });

  test('the run stops with the cause named, and no batch is marked failed', async () => {
    const source = new FakeSource({
      onCall: () => {
        throw new SluiceError(ErrorCodes.RETRYABLE, 'fake_api: server error (HTTP 502)', { upstreamCode: 502 });
      },
    });
    const seen: BatchOutcome[] = [];
    let error: unknown;
    try {
      for await (const o of execute(batches(20), {
        source,
        retries: 1000,
        concurrency: 3,
        breaker: { afterMs: 20, afterCalls: 10 },
        ...fast,
      }))
        seen.push(o);
    } catch (e) {
      error = e;
    }
    assert.ok(isSluiceError(error), String(error));
    assert.equal(error.code, 'SLUICE_UNAVAILABLE');
    assert.match(error.message, /fake_api: every call failed .* most often: fake_api: server error \(HTTP 502\)/);
    assert.deepEqual(seen, [], 'batches in flight are left unfinished, not failed');
    assert.ok(source.calls < 1000, `stopped early (${source.calls} calls)`);
  });

  test('rate-limit refusals do not trip it; breaker: false turns it off', async () => {
    let n = 0;
    const source = new FakeSource({
      onCall: () => {
        if (++n <= 30) throw new SluiceError(ErrorCodes.RATE_LIMITED, 'too many calls', { retryAfterMs: 1 });
      },
    });
    const out: BatchOutcome[] = [];
    for await (const o of execute(batches(1), { source, breaker: { afterMs: 0, afterCalls: 1 }, ...fast })) out.push(o);
    assert.equal(out[0].status, 'done');

    const failing = new FakeSource({
      onCall: () => {
        throw new SluiceError(ErrorCodes.RETRYABLE, 'HTTP 502');
      },
    });
    const off: BatchOutcome[] = [];
    for await (const o of execute(batches(2), { source: failing, retries: 3, breaker: false, ...fast })) off.push(o);
    assert.deepEqual(
      off.map((o) => o.status),
      ['failed', 'failed'],
    );
  });
});
