/**
 * A page whose rows do not match its fields is a bad answer: retried like a garbled body, and when
 * the retries run out the batch fails naming the batch, the page and what was wrong. It never
 * comes out of the executor as rows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execute, runBatch, type BatchOutcome } from '../../src/run/index.js';
import { pageShapeProblem } from '../../src/run/page-check.js';
import type { CallContext, Source } from '../../src/core/source.js';
import type { Batch, Page } from '../../src/core/types.js';

const fast = { backoff: { baseMs: 1, maxMs: 2 } } as const;

/** A source whose answers come from `answer(batch, page, attempt)`: two pages per batch. */
function scripted(answer: (batch: Batch, page: number, attempt: number) => Page): Source & { calls: number } {
  const attempts = new Map<string, number>();
  const src = {
    api: 'shape_api',
    rowCap: 2,
    calls: 0,
    async *fetch(batch: Batch, ctx: CallContext): AsyncIterable<Page> {
      for (let page = 0; page < 2; page++) {
        yield await ctx.call(
          async () => {
            src.calls += 1;
            const id = `${batch.key}/${page}`;
            const n = (attempts.get(id) ?? 0) + 1;
            attempts.set(id, n);
            return answer(batch, page, n);
          },
          { page, offset: page * 2 },
        );
      }
    },
  };
  return src;
}

const FIELDS = ['ts_code', 'trade_date', 'close'];
const good = (): Page => ({
  fields: FIELDS,
  items: [
    ['000001.SZ', '20200102', 1.5],
    ['000002.SZ', '20200102', 2.5],
  ],
});

async function collect(it: AsyncIterable<BatchOutcome>): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

describe('malformed pages', () => {
  test('pageShapeProblem names the first row whose length differs from fields', () => {
    assert.equal(pageShapeProblem(good()), undefined);
    assert.equal(pageShapeProblem({ fields: FIELDS, items: [] }), undefined);
    assert.equal(
      pageShapeProblem({
        fields: FIELDS,
        items: [
          ['a', 'b', 1],
          ['20200102', 1.5],
        ],
      }),
      'row 2 has 2 values, fields has 3',
    );
    assert.equal(pageShapeProblem({ fields: FIELDS, items: [['a', 'b', 1, 9]] }), 'row 1 has 4 values, fields has 3');
    assert.equal(pageShapeProblem({ fields: FIELDS, items: ['abc' as never] }), 'row 1 is not a list of values');
  });

  test('a page with a dropped first value is retried; the batch gets the good answer only', async () => {
    const source = scripted((_b, page, attempt) =>
      page === 1 && attempt === 1 ? { fields: FIELDS, items: [['20200102', 1.5], good().items[1]] } : good(),
    );
    const [outcome] = await collect(execute([{ key: 'b0', params: {} }], { source, ...fast }));
    assert.equal(outcome.status, 'done');
    if (outcome.status !== 'done') return;
    assert.equal(outcome.rows.rowCount, 4);
    for (const p of outcome.rows.pages) assert.equal(pageShapeProblem(p), undefined);
    assert.equal(source.calls, 3);
    assert.equal(outcome.attempts, 2);
  });

  test('when retries run out the batch fails naming the batch, the page, its offset and the row', async () => {
    const source = scripted((_b, page) =>
      page === 1 ? { fields: FIELDS, items: [good().items[0], ['x', 'y']] } : good(),
    );
    const outcomes = await collect(execute([{ key: 'd:2020', params: {} }], { source, retries: 2, ...fast }));
    assert.equal(outcomes.length, 1);
    const o = outcomes[0];
    assert.equal(o.status, 'failed');
    if (o.status !== 'failed') return;
    assert.equal(o.error.code, 'SLUICE_RETRYABLE');
    assert.match(
      o.error.message,
      /batch d:2020, page 1 \(offset 2\): malformed answer: row 2 has 2 values, fields has 3/,
    );
    assert.equal(source.calls, 1 + 3);
  });

  test('an extra value is refused too (runBatch, the path queue workers take)', async () => {
    const source = scripted(() => ({ fields: FIELDS, items: [[...good().items[0], 'extra']] }));
    const o = await runBatch({ key: 'w', params: {} }, { source, retries: 0, ...fast });
    assert.equal(o.status, 'failed');
    assert.match(o.status === 'failed' ? o.error.message : '', /row 1 has 4 values, fields has 3/);
  });
});
