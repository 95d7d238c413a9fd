import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDay } from '../../src/core/dates.js';
import type { Batch } from '../../src/core/types.js';
import { OnlineBatches, planJob, restOfRun, splitBatch } from '../../src/plan/index.js';

const VALUES = ['000001.SZ', '000002.SZ', '600000.SH'];

function spec(start = '20100101', end = '20241231') {
  const plan = planJob({
    start,
    end,
    rowCap: 6000,
    maxOffset: 100_000,
    each: { param: 'ts_code', values: VALUES },
    params: { adj: 'qfq' },
  });
  assert.ok(plan.online);
  return plan.online;
}

/** Days of one value's leaves, sorted; asserts they do not overlap. */
function tiled(leaves: readonly Batch[], value: string): [number, number][] {
  const ranges = leaves
    .filter((b) => b.params.ts_code === value)
    .map((b) => [parseDay(String(b.params.start_date)), parseDay(String(b.params.end_date))] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i][0], ranges[i - 1][1] + 1, `${value}: gap or overlap`);
  return ranges;
}

describe('online batches', () => {
  test('batches are journaled before they are handed over, keyed like planned ones, and tile every value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), async (fates) => {
        const journal: string[] = [];
        const online = new OnlineBatches(
          spec(),
          { concurrency: 3, maxRowsHeld: 50_000 },
          {
            onPlanned: (b) => {
              journal.push(b.key);
            },
          },
        );
        const leaves: Batch[] = [];
        const inflight: Batch[] = [];
        const it = online[Symbol.asyncIterator]();
        let step = 0;
        const finish = (): void => {
          const b = inflight.shift() as Batch;
          const fate = fates[step++ % fates.length];
          const children = fate === 3 ? splitBatch(b, { each: { param: 'ts_code', values: [] } }) : undefined;
          if (children) {
            online.observe({ status: 'split', batch: b, children });
            inflight.push(...children);
          } else if (fate === 2) {
            online.observe({ status: 'failed', batch: b });
            leaves.push(b);
          } else {
            online.observe({ status: 'done', batch: b, rows: fate === 0 ? 0 : 3000 });
            leaves.push(b);
          }
        };
        for (;;) {
          // the iterator may wait for an outcome: give it one when something is in flight
          const pending = it.next();
          let r = await Promise.race([pending, new Promise<'wait'>((res) => setImmediate(() => res('wait')))]);
          while (r === 'wait') {
            assert.ok(inflight.length > 0, 'waits only with a batch in flight');
            finish();
            r = await Promise.race([pending, new Promise<'wait'>((res) => setImmediate(() => res('wait')))]);
          }
          if (r.done) break;
          assert.equal(journal[journal.length - 1], r.value.key, 'journaled before handed over');
          assert.equal(r.value.params.adj, 'qfq');
          assert.match(r.value.key, /^\d{8}-\d{8}\|ts_code=/);
          inflight.push(r.value);
          if (inflight.length >= 3) finish();
        }
        while (inflight.length > 0) finish();
        assert.equal(new Set(journal).size, journal.length, 'no key planned twice');
        for (const v of VALUES) {
          const days = tiled(leaves, v);
          assert.equal(days[0][0], parseDay('20100101'));
          assert.equal(days[days.length - 1][1], parseDay('20241231'));
        }
      }),
      { numRuns: 20 },
    );
  });

  test('a resumed run plans only the days no batch of the run covers, after its pending batches', async () => {
    const s = spec('20240101', '20241231');
    const done: Batch = {
      key: '20240701-20241231|ts_code=000001.SZ',
      params: { start_date: '20240701', end_date: '20241231', ts_code: '000001.SZ' },
      window: { start: '20240701', end: '20241231' },
    };
    const failed: Batch = {
      key: '20240101-20240630|ts_code=000001.SZ',
      params: { start_date: '20240101', end_date: '20240630', ts_code: '000001.SZ' },
      window: { start: '20240101', end: '20240630' },
    };
    const records = [
      { batch: done, status: 'done', rows: 120 },
      { batch: failed, status: 'failed', rows: 0 },
    ];
    const rest = restOfRun(s, records);
    assert.deepEqual(rest.streams[0].ranges, []);
    assert.deepEqual(rest.streams[1].ranges, [{ start: parseDay('20240101'), end: parseDay('20241231') }]);
    const online = new OnlineBatches(rest, { concurrency: 4, maxRowsHeld: 50_000 }, { first: [failed] });
    for (const r of records) online.known(r);
    const it = online[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.value?.key, failed.key, 'the pending batch first');
    const next = await it.next();
    assert.notEqual(next.value?.params.ts_code, '000001.SZ', 'the covered value plans nothing');
    await it.return?.();
  });
});
