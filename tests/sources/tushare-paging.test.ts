import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSluiceError } from '../../src/core/errors.js';
import { checksum, startEmulator } from '../../src/emulator/index.js';
import { createTushareSource, tushareEndpoint } from '../../src/sources/index.js';
import { fakeFetch, tushareOk, type RecordedRequest } from '../helpers/fake-fetch.js';
import { batchOf, collect, simpleCall } from '../helpers/simple-call.js';

const FIELDS = ['ts_code', 'trade_date'];
const rows = (n: number, from = 0): unknown[][] => Array.from({ length: n }, (_v, i) => [`S${from + i}`, '20240102']);

/** A server holding `total` rows that pages them honestly by limit/offset but lies about has_more. */
function pagingServer(total: number, hasMore: (offset: number, count: number) => boolean) {
  return (req: RecordedRequest): Response => {
    const p = (req.body as { params: { limit: number; offset: number } }).params;
    const count = Math.max(0, Math.min(p.limit, total - p.offset));
    return tushareOk(FIELDS, rows(count, p.offset), hasMore(p.offset, count));
  };
}

describe('tushare pagination', () => {
  test('sends api_name, fields and fixed params merged under the batch params, with limit and offset', async () => {
    const fake = fakeFetch([tushareOk(FIELDS, rows(3))]);
    const source = createTushareSource({
      token: 'tok-abcdef',
      api: 'daily',
      fields: FIELDS,
      params: { adj: 'qfq', ts_code: 'fixed' },
      rowCap: 10,
      fetchImpl: fake.fetch,
    });
    assert.deepEqual(source.fields, FIELDS);
    assert.equal(source.rowCap, 10);
    await collect(source, batchOf({ ts_code: '000001.SZ', start_date: '20240101' }), simpleCall());
    assert.deepEqual(fake.requests[0].body, {
      api_name: 'daily',
      token: 'tok-abcdef',
      fields: 'ts_code,trade_date',
      params: { adj: 'qfq', ts_code: '000001.SZ', start_date: '20240101', limit: 10, offset: 0 },
    });
    assert.equal(fake.requests[0].method, 'POST');
  });

  test('a short page ends the batch when has_more is not true', async () => {
    const fake = fakeFetch([pagingServer(25, () => false)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 10, fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [10, 10, 5],
    );
    assert.deepEqual(
      fake.requests.map((r) => (r.body as { params: { offset: number } }).params.offset),
      [0, 10, 20],
    );
  });

  test('a short page with has_more true is followed; the empty page after it ends the batch', async () => {
    const fake = fakeFetch([pagingServer(25, () => true)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 10, fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [10, 10, 5],
    );
    assert.deepEqual(
      fake.requests.map((r) => (r.body as { params: { offset: number } }).params.offset),
      [0, 10, 20, 25],
    );
  });

  test('a server page cap below rowCap loses no rows while has_more is true', async () => {
    // The server returns at most 1000 rows whatever `limit` says; the job asks for 6000.
    const total = 2500;
    const fake = fakeFetch([
      (req: RecordedRequest) => {
        const p = (req.body as { params: { limit: number; offset: number } }).params;
        const count = Math.max(0, Math.min(p.limit, 1000, total - p.offset));
        return tushareOk(FIELDS, rows(count, p.offset), p.offset + count < total);
      },
    ]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 6000, fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((r) => r[0])),
      rows(total).map((r) => r[0]),
    );
    assert.deepEqual(
      fake.requests.map((r) => (r.body as { params: { limit: number; offset: number } }).params),
      // has_more on a short page teaches the server's cap: later calls ask for it
      [
        { limit: 6000, offset: 0 },
        { limit: 1000, offset: 1000 },
        { limit: 1000, offset: 2000 },
      ],
    );
  });

  test('an empty page ends the batch even when has_more says true', async () => {
    const fake = fakeFetch([tushareOk(FIELDS, [], true), tushareOk(FIELDS, [], true)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 10, fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [0],
    );
    assert.equal(fake.requests.length, 1);
  });

  test('against the emulator with a 1000-row cap, a 2500-row window arrives whole through rowCap 6000', async () => {
    const emu = await startEmulator({ rowCap: 1000, latencyMs: 0 });
    try {
      const params = { start_date: '20230101', end_date: '20230327' };
      const want = [...emu.dataset.rows('daily', params)];
      assert.equal(want.length, 2500);
      const source = createTushareSource({ url: emu.url, token: emu.token, api: 'daily', rowCap: 6000 });
      const pages = await collect(source, batchOf(params), simpleCall());
      const got = pages.flatMap((p) => p.items);
      assert.equal(got.length, 2500);
      assert.deepEqual(checksum(got), checksum(want));
    } finally {
      await emu.close();
    }
  });

  test('a full page is followed even when has_more says false; an empty last page is not yielded', async () => {
    const fake = fakeFetch([pagingServer(20, () => false)]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 10, fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [10, 10],
    );
    assert.equal(fake.requests.length, 3);
  });

  test('a server that ignores limit and sends more rows causes no duplicates', async () => {
    const fake = fakeFetch([
      (req: RecordedRequest) => {
        const p = (req.body as { params: { offset: number } }).params;
        return tushareOk(FIELDS, rows(Math.max(0, Math.min(15, 40 - p.offset)), p.offset));
      },
    ]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', rowCap: 10, fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((r) => r[0])),
      rows(40).map((r) => r[0]),
    );
  });

  test('an empty batch still yields its first (empty) page', async () => {
    const fake = fakeFetch([tushareOk(FIELDS, [])]);
    const source = createTushareSource({ token: 'tok-abcdef', api: 'daily', fetchImpl: fake.fetch });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.equal(pages.length, 1);
    assert.deepEqual(pages[0].fields, FIELDS);
  });

  test('every row arrives exactly once for any total and page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        async (total, cap, lie) => {
          const fake = fakeFetch([pagingServer(total, (o, c) => (lie ? !(o + c < total) : o + c < total))]);
          const source = createTushareSource({
            token: 'tok-abcdef',
            api: 'daily',
            rowCap: cap,
            maxOffset: 10_000,
            fetchImpl: fake.fetch,
          });
          const pages = await collect(source, batchOf({}), simpleCall());
          const got = pages.flatMap((p) => p.items.map((r) => r[0]));
          assert.deepEqual(
            got,
            rows(total).map((r) => r[0]),
          );
          // A lying has_more: true on the short last page costs one extra (empty) request.
          const extra = lie && total % cap !== 0 ? 1 : 0;
          assert.equal(fake.requests.length, Math.floor(total / cap) + 1 + extra);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('past maxOffset one probe at maxOffset decides: a full probe page overflows', async () => {
    const fake = fakeFetch([pagingServer(1000, () => true)]);
    const source = createTushareSource({
      token: 'tok-abcdef',
      api: 'daily',
      rowCap: 100,
      maxOffset: 250,
      fetchImpl: fake.fetch,
    });
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const p of source.fetch(batchOf({}, 'k1'), simpleCall())) seen.push(p.items.length);
      },
      (err: unknown) => isSluiceError(err) && err.code === 'SLUICE_OVERFLOW' && err.context.batchKey === 'k1',
    );
    assert.deepEqual(seen, [100, 100, 100]);
    assert.deepEqual(
      fake.requests.map((r) => (r.body as { params: { offset: number } }).params.offset),
      [0, 100, 200, 250],
    );
  });

  test('a window of exactly the paged budget needs one probe, not a split', async () => {
    // 3 full pages reach offset 300 > maxOffset 250; the probe at 250 gets the 50 rows 250..299 again, short.
    const fake = fakeFetch([pagingServer(300, (o, c) => o + c < 300)]);
    const source = createTushareSource({
      token: 'tok-abcdef',
      api: 'daily',
      rowCap: 100,
      maxOffset: 250,
      fetchImpl: fake.fetch,
    });
    const pages = await collect(source, batchOf({}), simpleCall());
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((r) => r[0])),
      rows(300).map((r) => r[0]),
    );
    assert.deepEqual(
      fake.requests.map((r) => (r.body as { params: { offset: number } }).params.offset),
      [0, 100, 200, 250],
    );
  });

  test('with an offset limit, a window is fetched exactly once iff it holds fewer than maxOffset + rowCap rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 200 }),
        async (total, cap, maxOffset) => {
          const fake = fakeFetch([pagingServer(total, (o, c) => o + c < total)]);
          const source = createTushareSource({
            token: 'tok-abcdef',
            api: 'daily',
            rowCap: cap,
            maxOffset,
            fetchImpl: fake.fetch,
          });
          const offsets = (): number[] =>
            fake.requests.map((r) => (r.body as { params: { offset: number } }).params.offset);
          if (total < maxOffset + cap) {
            const pages = await collect(source, batchOf({}), simpleCall());
            assert.deepEqual(
              pages.flatMap((p) => p.items.map((r) => r[0])),
              rows(total).map((r) => r[0]),
            );
          } else {
            await assert.rejects(
              collect(source, batchOf({}), simpleCall()),
              (err: unknown) => isSluiceError(err) && err.code === 'SLUICE_OVERFLOW',
            );
          }
          assert.ok(
            offsets().every((o) => o <= maxOffset),
            `never asks beyond maxOffset: ${offsets().join(',')}`,
          );
          assert.ok(
            fake.requests.length <= Math.floor(maxOffset / cap) + 2,
            'at most one probe beyond the regular pages',
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test('YYYY-MM-DD string params are sent as YYYYMMDD; the batch keeps its own format', async () => {
    const fake = fakeFetch([tushareOk(FIELDS, rows(2))]);
    const source = createTushareSource({
      token: 'tok-abcdef',
      api: 'daily',
      rowCap: 10,
      params: { trade_date: '2024-02-01' },
      fetchImpl: fake.fetch,
    });
    const batch = batchOf({
      start_date: '2024-01-02',
      end_date: '20240131',
      ts_code: '000001.SZ',
      note: '2024-1-2',
      n: 7,
    });
    await collect(source, batch, simpleCall());
    assert.deepEqual((fake.requests[0].body as { params: unknown }).params, {
      trade_date: '20240201',
      start_date: '20240102',
      end_date: '20240131',
      ts_code: '000001.SZ',
      note: '2024-1-2',
      n: 7,
      limit: 10,
      offset: 0,
    });
    assert.equal(batch.params.start_date, '2024-01-02');
  });

  test('the emulator (YYYYMMDD only) answers a batch given YYYY-MM-DD dates', async () => {
    const emu = await startEmulator({ latencyMs: 0 });
    try {
      const source = createTushareSource({ url: emu.url, token: emu.token, api: 'daily' });
      const pages = await collect(source, batchOf({ start_date: '2023-01-03', end_date: '2023-01-06' }), simpleCall());
      const want = [...emu.dataset.rows('daily', { start_date: '20230103', end_date: '20230106' })];
      assert.ok(want.length > 0);
      assert.deepEqual(checksum(pages.flatMap((p) => p.items)), checksum(want));
    } finally {
      await emu.close();
    }
  });

  test('the endpoint accepts a base URL and /dataapi', () => {
    assert.equal(tushareEndpoint('http://api.tushare.pro'), 'http://api.tushare.pro/');
    assert.equal(tushareEndpoint('http://127.0.0.1:7001/dataapi'), 'http://127.0.0.1:7001/dataapi');
    assert.throws(() => tushareEndpoint('not a url'), /source.url/);
  });
});
