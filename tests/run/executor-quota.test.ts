/**
 * A used-up daily quota stops the run (no batch failed), or, with waitForQuotaReset, waits for its
 * reset through the pacer and goes on (fake clock: no real waiting). A bad query fails its batch
 * once, without retries or a split, and the run goes on.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execute, type BatchOutcome } from '../../src/run/index.js';
import { ErrorCodes, SluiceError } from '../../src/core/errors.js';
import type { Batch } from '../../src/core/types.js';
import { FakeClock, flush } from '../helpers/run-fake-clock.js';
import { FakeSource } from '../helpers/run-fake-source.js';

const HOUR = 3_600_000;

function keyBatches(n: number): Batch[] {
  return Array.from({ length: n }, (_, i) => ({ key: `b${i}`, params: { i } }));
}

function exhausted(): SluiceError {
  return new SluiceError(ErrorCodes.QUOTA_EXHAUSTED, 'tushare daily: the daily quota of 2 calls is used up (40203)', {
    upstreamCode: 40203,
    quota: { calls: 2, intervalMs: 86_400_000 },
    resetAt: '2024-05-02T00:00+08:00',
    retryAfterMs: 3 * HOUR,
  });
}

describe('a used-up daily quota', () => {
  test('stops the run with SLUICE_QUOTA_EXHAUSTED; no batch is reported failed', async () => {
    let n = 0;
    const source = new FakeSource({
      onCall: () => {
        if (++n === 3) throw exhausted();
      },
    });
    const outcomes: BatchOutcome[] = [];
    await assert.rejects(
      (async () => {
        for await (const o of execute(keyBatches(6), { source, concurrency: 1 })) outcomes.push(o);
      })(),
      (err: SluiceError) => err.code === 'SLUICE_QUOTA_EXHAUSTED',
    );
    assert.deepEqual(
      outcomes.map((o) => [o.batch.key, o.status]),
      [
        ['b0', 'done'],
        ['b1', 'done'],
      ],
    );
  });

  test('with waitForQuotaReset the API waits until the reset, then the run goes on', async () => {
    const clock = new FakeClock();
    let n = 0;
    const callTimes: number[] = [];
    const source = new FakeSource({
      onCall: () => {
        callTimes.push(clock.now());
        if (++n === 2) throw exhausted();
      },
    });
    const outcomes: BatchOutcome[] = [];
    const done = (async () => {
      for await (const o of execute(keyBatches(3), {
        source,
        concurrency: 1,
        clock,
        waitForQuotaReset: true,
        maxRateLimitRetries: 0,
      }))
        outcomes.push(o);
    })();
    await clock.advance(3 * HOUR - 10);
    assert.equal(outcomes.length, 1, 'only the batch before the refusal is done');
    assert.equal(callTimes.length, 2, 'no call while the quota is used up');
    await clock.advance(20);
    await flush();
    await done;
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['done', 'done', 'done'],
    );
    assert.ok(callTimes[2] >= 3 * HOUR, `the refused call ran again at ${callTimes[2]} ms`);
  });
});

describe('a bad query (a generic 50101)', () => {
  test('fails its batch once, with the message: no retry, no split; the others land', async () => {
    const source = new FakeSource({
      onCall: (b) => {
        if (b.key === 'b1')
          throw new SluiceError(
            ErrorCodes.BAD_QUERY,
            'tushare daily: the server refused this query (50101): 查询数据失败',
            {
              upstreamCode: 50101,
            },
          );
      },
    });
    let splits = 0;
    const outcomes: BatchOutcome[] = [];
    for await (const o of execute(keyBatches(3), {
      source,
      split: () => {
        splits++;
        return undefined;
      },
    }))
      outcomes.push(o);
    assert.equal(splits, 0);
    const failed = outcomes.filter((o) => o.status === 'failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].status === 'failed' && failed[0].error.code, 'SLUICE_BAD_QUERY');
    assert.match(failed[0].status === 'failed' ? failed[0].error.message : '', /查询数据失败/);
    assert.equal(outcomes.filter((o) => o.status === 'done').length, 2);
    assert.equal(source.calls, 3, 'one call per batch: the bad query is not retried');
  });
});
