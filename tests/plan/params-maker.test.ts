import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { planJob } from '../../src/plan/index.js';
import { paramsMaker } from '../../src/plan/params-maker.js';

describe('paramsMaker', () => {
  test('makes plain objects with the keys in order, for any key text', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 5 }),
        fc.string(),
        fc.array(fc.anything(), { minLength: 5, maxLength: 5 }),
        fc.anything(),
        (keys, lastRaw, values, last) => {
          const fixedKeys = keys.filter((k) => k !== lastRaw);
          const made = paramsMaker(fixedKeys, lastRaw)(values, last);
          assert.equal(Object.getPrototypeOf(made), Object.prototype);
          assert.deepEqual(new Set(Object.keys(made)), new Set([...fixedKeys, lastRaw]));
          fixedKeys.forEach((k, i) => assert.equal(made[k], values[i]));
          assert.equal(made[lastRaw], last);
        },
      ),
    );
  });

  test('quotes, backslashes and line separators in keys are data, not code', () => {
    const keys = ['a"b', 'c\\d', 'e\u2028f', '});throw 1;({'];
    const made = paramsMaker(keys, 'x')([1, 2, 3, 4], 5);
    assert.deepEqual(made, { 'a"b': 1, 'c\\d': 2, 'e\u2028f': 3, '});throw 1;({': 4, x: 5 });
  });

  test('__proto__ becomes an own property, never the prototype', () => {
    const made = paramsMaker(['__proto__'], 'x')([{ polluted: true }], 1);
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
    assert.ok(Object.hasOwn(made, '__proto__'));
    assert.equal((made as { polluted?: boolean }).polluted, undefined);
  });

  test('cross product params equal the plain merge of fixed, date and each params', () => {
    const plan = planJob({
      start: '20240101',
      end: '20240131',
      strategy: 'week',
      params: { fields: 'a,b', end_date: 'x', limit: 10 },
      each: { param: 'ts_code', values: ['A', 'B'] },
    });
    for (const batch of plan.batches) {
      const expected = {
        fields: 'a,b',
        end_date: batch.window?.end,
        limit: 10,
        start_date: batch.window?.start,
        ts_code: batch.params.ts_code,
      };
      assert.deepEqual(batch.params, expected);
      assert.deepEqual(Object.keys(batch.params), ['fields', 'limit', 'start_date', 'end_date', 'ts_code']);
    }
  });
});
