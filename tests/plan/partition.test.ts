import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SluiceError } from '../../src/core/errors.js';
import { byField, bySize, chunk, composite, distinct } from '../../src/plan/index.js';

const stocks = [
  { ts_code: '000001.SZ', market: 'main', list_status: 'L' },
  { ts_code: '300001.SZ', market: 'gem', list_status: 'L' },
  { ts_code: '000002.SZ', market: 'main', list_status: 'D' },
  { ts_code: '600000.SH', market: 'main', list_status: 'L' },
  { ts_code: '688001.SH', market: 'star', list_status: 'L' },
];

describe('chunk and bySize', () => {
  test('chunks keep every item once, in order, each at most size long', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 20 }), (items, size) => {
        const parts = chunk(items, size);
        assert.deepEqual(parts.flat(), items);
        assert.ok(parts.every((p) => p.length >= 1 && p.length <= size));
        assert.equal(parts.length, Math.ceil(items.length / size));
      }),
    );
  });
  test('bad sizes are usage errors', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => chunk([1], size),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE',
        String(size),
      );
    }
  });
  test('bySize keys parts #0, #1, ...', () => {
    assert.deepEqual(bySize<number>(2)([1, 2, 3]), [
      { key: '#0', items: [1, 2] },
      { key: '#1', items: [3] },
    ]);
  });
});

describe('byField and composite', () => {
  test('groups by a field in order of first appearance', () => {
    const parts = byField<(typeof stocks)[number]>('market')(stocks);
    assert.deepEqual(
      parts.map((p) => [p.key, p.items.map((s) => s.ts_code)]),
      [
        ['market=main', ['000001.SZ', '000002.SZ', '600000.SH']],
        ['market=gem', ['300001.SZ']],
        ['market=star', ['688001.SH']],
      ],
    );
  });
  test('a value function can derive the field (exchange from the code suffix)', () => {
    const parts = byField<(typeof stocks)[number]>('exchange', (s) => s.ts_code.slice(-2))(stocks);
    assert.deepEqual(
      parts.map((p) => p.key),
      ['exchange=SZ', 'exchange=SH'],
    );
  });
  test('composite applies partitioners in turn and joins keys with /', () => {
    const parts = composite(byField<(typeof stocks)[number]>('list_status'), byField('market'), bySize(2))(stocks);
    assert.deepEqual(
      parts.map((p) => `${p.key}:${p.items.length}`),
      [
        'list_status=L/market=main/#0:2',
        'list_status=L/market=gem/#0:1',
        'list_status=L/market=star/#0:1',
        'list_status=D/market=main/#0:1',
      ],
    );
  });
  test('composite keeps every item exactly once and keys are unique', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ a: fc.constantFrom('x', 'y', 'z'), b: fc.integer({ min: 0, max: 3 }) })),
        fc.integer({ min: 1, max: 4 }),
        (items, size) => {
          const parts = composite<{ a: string; b: number }>(byField('a'), byField('b'), bySize(size))(items);
          assert.equal(
            parts.reduce((n, p) => n + p.items.length, 0),
            items.length,
          );
          assert.equal(new Set(parts.map((p) => p.key)).size, parts.length);
        },
      ),
    );
  });
  test('distinct drops repeated values, keeping the first', () => {
    assert.deepEqual(distinct(['b', 'a', 'b', 'c', 'a']), ['b', 'a', 'c']);
  });
});
