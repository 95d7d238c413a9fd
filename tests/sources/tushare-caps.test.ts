/**
 * No silent truncation: a server whose real cap is below the page size, and that never sends
 * has_more, loses no rows; the cap is learned once per API and used by every later call; the
 * check costs no call when the cap is lower than assumed, and none once a full page or a
 * documented cap vouches for the page size.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTushareSource } from '../../src/sources/index.js';
import { fakeFetch, tushareOk, type RecordedRequest } from '../helpers/fake-fetch.js';
import { batchOf, collect, simpleCall } from '../helpers/simple-call.js';

const FIELDS = ['ts_code', 'n'];

/** A server with a hard cap and no has_more; each batch's `rows` param says how many rows it holds. */
function cappedServer(cap: number) {
  return (req: RecordedRequest): Response => {
    const p = (req.body as { params: { limit: number; offset: number; rows: number; tag?: string } }).params;
    const count = Math.max(0, Math.min(p.limit, cap, p.rows - p.offset));
    const items = Array.from({ length: count }, (_v, i) => [p.tag ?? 'x', p.offset + i]);
    return tushareOk(FIELDS, items, false);
  };
}

const asked = (fake: { requests: RecordedRequest[] }) =>
  fake.requests.map((r) => {
    const p = (r.body as { params: { limit: number; offset: number } }).params;
    return [p.limit, p.offset];
  });

async function pull(source: ReturnType<typeof createTushareSource>, rows: number): Promise<number[]> {
  const pages = await collect(source, batchOf({ rows }), simpleCall());
  return pages.flatMap((p) => p.items.map((r) => r[1] as number));
}

const upTo = (n: number) => Array.from({ length: n }, (_v, i) => i);

describe('a cap below the assumed one (no has_more)', () => {
  test('an API without a documented cap: the short first page is followed, the real cap learned and shared', async () => {
    const fake = fakeFetch([cappedServer(4000)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'adj_factor', fetchImpl: fake.fetch });
    assert.equal(source.rowCap, 6000, 'the fallback cap');
    assert.deepEqual(await pull(source, 10_500), upTo(10_500));
    // the call after the short page fetched rows the window needed anyway: no extra call
    assert.deepEqual(asked(fake), [
      [6000, 0],
      [6000, 4000],
      [4000, 8000],
    ]);
    assert.deepEqual(source.capFacts?.(), { exact: 4000, atLeast: 4000 });
    // every later batch asks for the real cap and stops at a short page
    fake.requests.length = 0;
    assert.deepEqual(await pull(source, 3000), upTo(3000));
    assert.deepEqual(await pull(source, 4000), upTo(4000));
    assert.deepEqual(asked(fake), [
      [4000, 0],
      [4000, 0],
      [4000, 4000],
    ]);
  });

  test('a job rowCap above the documented cap is checked, then the cap learned', async () => {
    const fake = fakeFetch([cappedServer(6000)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 8000, fetchImpl: fake.fetch });
    assert.deepEqual(await pull(source, 7000), upTo(7000));
    assert.deepEqual(source.capFacts?.(), { exact: 6000, atLeast: 6000 });
  });

  test('a cap known from an earlier run is used from the first call', async () => {
    const fake = fakeFetch([cappedServer(4000)]);
    const source = createTushareSource({
      token: 'tok-abcdef',
      api: 'adj_factor',
      knownCap: { exact: 4000 },
      fetchImpl: fake.fetch,
    });
    assert.deepEqual(await pull(source, 3999), upTo(3999));
    assert.deepEqual(asked(fake), [[4000, 0]]);
  });
});

describe('what the check costs when the cap is not lower', () => {
  test('windows smaller than the cap: a check only for a short page no shorter than any proven whole', async () => {
    const fake = fakeFetch([cappedServer(6000)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'adj_factor', fetchImpl: fake.fetch });
    for (const rows of [200, 150, 300, 250, 299]) assert.deepEqual(await pull(source, rows), upTo(rows));
    // 200: checked (an empty page); 150: no; 300: checked; 250, 299: no (a 300 again would be: the cap may be 300)
    assert.equal(fake.requests.length, 5 + 2);
    assert.deepEqual(source.capFacts?.(), { atLeast: 300 });
  });

  test('a full page vouches for the page size: no check after it', async () => {
    const fake = fakeFetch([cappedServer(6000)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'adj_factor', fetchImpl: fake.fetch });
    assert.deepEqual(await pull(source, 6500), upTo(6500));
    fake.requests.length = 0;
    for (const rows of [5999, 10, 3000]) await pull(source, rows);
    assert.equal(fake.requests.length, 3);
  });

  test('a documented cap is trusted: a short page ends the window at once', async () => {
    const fake = fakeFetch([cappedServer(6000)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', fetchImpl: fake.fetch });
    await pull(source, 200);
    await pull(source, 5000);
    assert.equal(fake.requests.length, 2);
  });
});

describe('near the offset limit', () => {
  test('a short page that reaches past maxOffset is settled by the probe at maxOffset', async () => {
    // cap 40, page size 100, offset limit 50: pages at 0 (40 rows: unsure), then the probe at 50
    const fake = fakeFetch([cappedServer(40)]);
    const source = createTushareSource({
      token: 'tok-abcdef',
      api: 'x_api',
      rowCap: 100,
      maxOffset: 50,
      fetchImpl: fake.fetch,
    });
    assert.deepEqual(await pull(source, 70), upTo(70));
    assert.deepEqual(source.capFacts?.(), { exact: 40, atLeast: 40 });
  });
});

describe('every row arrives exactly once, whatever the caps', () => {
  test('random server caps, page sizes and window sizes, batches in a row sharing what was learned', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 6 }),
        async (serverCap, rowCap, windows) => {
          const fake = fakeFetch([cappedServer(serverCap)]);
          const source = createTushareSource({ token: 'tok-abcdef', api: 'x_api', rowCap, fetchImpl: fake.fetch });
          for (const rows of windows) assert.deepEqual(await pull(source, rows), upTo(rows));
          // at most one call per window beyond the pages a known cap would need
          const cap = Math.min(serverCap, rowCap);
          const needed = windows.reduce((n, rows) => n + Math.floor(rows / cap) + 1, 0);
          assert.ok(fake.requests.length <= needed + windows.length, `${fake.requests.length} calls, ${needed} needed`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
