/**
 * Behaviour every Store must show, run against SQLite, JSONL and Postgres by their test files.
 */
import assert from 'node:assert/strict';
import type { Batch, BatchRows } from '../../src/core/types.js';
import type { Store } from '../../src/core/store.js';
import { readReport, type RunReport } from '../../src/core/report.js';
import { SluiceError } from '../../src/core/errors.js';
import { clearSecrets, registerSecret } from '../../src/core/secrets.js';

export interface StoreHarness {
  /** A fresh, open store writing table `daily` with key [ts_code, trade_date]. */
  readonly store: Store;
  /** Every stored data row as an object, in any order. */
  rows(): Promise<Record<string, unknown>[]>;
  /** True when the store upserts (false for JSONL, which appends). */
  readonly upserts: boolean;
}

export const FIELDS = ['ts_code', 'trade_date', 'close', 'vol'] as const;

export function batch(key: string, extra: Partial<Batch> = {}): Batch {
  return { key, params: { start_date: `${key}-s`, end_date: `${key}-e` }, ...extra };
}

export function rowsOf(items: unknown[][], fields: readonly string[] = FIELDS): BatchRows {
  return { fields, pages: [{ fields, items }], rowCount: items.length };
}

/** A report with only the fields every Sluice version wrote, completed by readReport. */
export function report(runId: string, status: 'succeeded' | 'failed' | 'interrupted' = 'succeeded'): RunReport {
  const t = new Date().toISOString();
  const zero = { min: 0, max: 0, avg: 0, variance: 0 };
  return readReport({
    runId,
    job: 'j',
    status,
    startedAt: t,
    finishedAt: t,
    wallMs: 1,
    plan: { batchCount: 0, generationMs: 0, reductionRate: 0, batchSizes: zero },
    calls: {
      total: 0,
      failed: 0,
      retried: 0,
      rateLimited: 0,
      errorRate: 0,
      avgMs: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      callsPerSecond: 0,
    },
    rows: { fetched: 0, written: 0 },
    memory: { peakRssMb: 0, startRssMb: 0 },
    concurrency: { min: 1, max: 1, final: 1 },
    batches: { total: 0, done: 0, failed: 0 },
    ratings: { generationTime: null, memory: null, optimizationRate: null, callRate: null, errorRate: null },
    targets: { met: true, checks: [] },
    recommendations: [],
  });
}

const start = (n: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString();

/** The shared checks: [title, body]; each body gets a fresh harness. */
export const STORE_CONTRACT: readonly (readonly [string, (h: StoreHarness) => Promise<void>])[] = [
  [
    'batches added to a run come after its batches (and split children), pending; a known key is left alone',
    async ({ store }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a')]);
      await store.split('r1', 'a', [batch('a1'), batch('a2')]);
      await store.addBatches('r1', [batch('b')]);
      await store.commit('r1', batch('b'), rowsOf([['000001.SZ', '20240102', 1, 1]]), 1);
      await store.addBatches('r1', [batch('c'), batch('b')]);
      await store.addBatches('r1', []);
      const bs = await store.batches('r1');
      assert.deepEqual(
        bs.map((b) => [b.key, b.status]),
        [
          ['a', 'split'],
          ['a1', 'pending'],
          ['a2', 'pending'],
          ['b', 'done'],
          ['c', 'pending'],
        ],
      );
      await store.createRun({ id: 'r2', job: 'j', startedAt: start(2) }, []);
      await store.addBatches('r2', [batch('x')]);
      assert.deepEqual(
        (await store.batches('r2')).map((b) => b.key),
        ['x'],
      );
    },
  ],
  [
    'a row written twice is stored once (upsert) or twice (append)',
    async ({ store, rows, upserts }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a'), batch('b')]);
      await store.commit(
        'r1',
        batch('a'),
        rowsOf([
          ['000001.SZ', '20240102', 10.5, 100],
          ['000002.SZ', '20240102', 7, 50],
        ]),
        1,
      );
      await store.commit('r1', batch('b'), rowsOf([['000001.SZ', '20240102', 11.25, 120]]), 2);
      const all = await rows();
      if (upserts) {
        assert.equal(all.length, 2);
        const one = all.find((r) => r.ts_code === '000001.SZ');
        assert.equal(Number(one?.close), 11.25);
        assert.equal(Number(one?.vol), 120);
      } else {
        assert.equal(all.length, 3);
      }
      const bs = await store.batches('r1');
      assert.deepEqual(
        bs.map((b) => [b.key, b.status, b.rows, b.attempts]),
        [
          ['a', 'done', 2, 1],
          ['b', 'done', 1, 2],
        ],
      );
      assert.ok(bs[0].finishedAt);
    },
  ],
  [
    'a failed commit leaves neither rows nor a done mark',
    async ({ store, rows }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a')]);
      await assert.rejects(
        store.commit('r1', batch('not-in-journal'), rowsOf([['000001.SZ', '20240102', 1, 1]]), 1),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_SINK' && /not-in-journal/.test(e.message),
      );
      assert.equal((await rows()).length, 0);
      await store.commit('r1', batch('a'), rowsOf([['000003.SZ', '20240103', 1, 1]]), 1);
      assert.equal((await rows()).length, 1);
    },
  ],
  [
    'a key field missing from the rows is a clear error naming the key',
    async ({ store, rows }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a')]);
      await assert.rejects(
        store.commit('r1', batch('a'), rowsOf([['000001.SZ', 1]], ['ts_code', 'close']), 1),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_BAD_JOB' && /trade_date/.test(e.message),
      );
      assert.equal((await rows()).length, 0);
      assert.equal((await store.batches('r1'))[0].status, 'pending');
    },
  ],
  [
    'field names from the source must be identifiers',
    async ({ store }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a')]);
      const evil = ['ts_code', 'trade_date', 'x"); DROP TABLE sluice_runs; --'];
      await assert.rejects(
        store.commit('r1', batch('a'), rowsOf([['a', 'b', 1]], evil), 1),
        (e: unknown) => e instanceof SluiceError,
      );
      assert.equal((await store.listRuns(undefined, 5)).length, 1);
    },
  ],
  [
    'split puts the children right after the parent, in order, also when nested',
    async ({ store }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a'), batch('b'), batch('c')]);
      await store.split('r1', 'b', [batch('b1', { window: { start: '20240101', end: '20240115' } }), batch('b2')]);
      await store.split('r1', 'b1', [batch('b1x'), batch('b1y'), batch('b1z')]);
      const bs = await store.batches('r1');
      assert.deepEqual(
        bs.map((b) => b.key),
        ['a', 'b', 'b1', 'b1x', 'b1y', 'b1z', 'b2', 'c'],
      );
      assert.deepEqual(
        bs.map((b) => b.status),
        ['pending', 'split', 'split', 'pending', 'pending', 'pending', 'pending', 'pending'],
      );
      assert.deepEqual(bs[2].batch.window, { start: '20240101', end: '20240115' });
      assert.deepEqual(
        (await store.batches('r1', ['pending'])).map((b) => b.key),
        ['a', 'b1x', 'b1y', 'b1z', 'b2', 'c'],
      );
      await assert.rejects(
        store.split('r1', 'nope', [batch('z')]),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_SINK',
      );
    },
  ],
  [
    'splits keep plan order against a list model: random ones, and one spot split until its room runs out',
    async ({ store }) => {
      const model = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
      await store.createRun(
        { id: 'r1', job: 'j', startedAt: start(1) },
        model.map((k) => batch(k)),
      );
      const split = async (parent: string, count: number): Promise<void> => {
        const children = Array.from({ length: count }, (_, i) => `${parent}.${i}`);
        await store.split(
          'r1',
          parent,
          children.map((k) => batch(k)),
        );
        model.splice(model.indexOf(parent) + 1, 0, ...children);
      };
      // 20 times the first child of the last split: the room after p1 is divided again and again.
      let deep = 'p1';
      for (let i = 0; i < 20; i++) {
        await split(deep, 2);
        deep = `${deep}.0`;
      }
      // Then random unsplit batches (a fixed pseudo-random walk), 2 to 4 children each.
      let x = 7;
      const rand = (n: number): number => (x = (x * 1103515245 + 12345) % 2147483648) % n;
      const splitKeys = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const open = model.filter((k) => !splitKeys.has(k) && !model.includes(`${k}.0`));
        const parent = open[rand(open.length)];
        splitKeys.add(parent);
        await split(parent, 2 + rand(3));
      }
      assert.deepEqual(
        (await store.batches('r1')).map((b) => b.key),
        model,
      );
    },
  ],
  [
    'a retried split changes nothing; markRunning leaves split and done batches alone',
    async ({ store }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a'), batch('b'), batch('c')]);
      await store.markRunning('r1', 'b');
      await store.split('r1', 'b', [batch('b1'), batch('b2')]);
      await store.commit('r1', batch('b1'), rowsOf([['s', 'd', 1, 1]]), 1);
      const before = await store.batches('r1');
      // The queue retries the parent batch after its split committed.
      await store.markRunning('r1', 'b');
      await store.split('r1', 'b', [batch('b1'), batch('b2')]);
      await store.markRunning('r1', 'b1');
      const after = await store.batches('r1');
      assert.deepEqual(
        after.map((b) => b.key),
        ['a', 'b', 'b1', 'b2', 'c'],
      );
      assert.deepEqual(
        after.map((b) => b.status),
        ['pending', 'split', 'done', 'pending', 'pending'],
      );
      assert.deepEqual(
        after.map((b) => [b.key, b.status, b.rows, b.attempts]),
        before.map((b) => [b.key, b.status, b.rows, b.attempts]),
      );
    },
  ],
  [
    'journal queries: latest, list, unfinished, reopen, report, failures',
    async ({ store }) => {
      registerSecret('tok-SECRET-123');
      try {
        await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [
          batch('a', { params: { token: 'tok-SECRET-123', d: 1 } }),
        ]);
        await store.createRun({ id: 'r2', job: 'j', startedAt: start(2) }, [batch('a'), batch('b')]);
        await store.createRun({ id: 'r3', job: 'other', startedAt: start(3) }, []);
        assert.equal((await store.getRun('latest'))?.id, 'r3');
        assert.equal((await store.getRun('latest', 'j'))?.id, 'r2');
        assert.equal(await store.getRun('missing'), undefined);
        assert.deepEqual(
          (await store.listRuns('j', 10)).map((r) => r.id),
          ['r2', 'r1'],
        );
        assert.deepEqual(
          (await store.listRuns(undefined, 2)).map((r) => r.id),
          ['r3', 'r2'],
        );
        assert.equal((await store.latestUnfinishedRun('j'))?.id, 'r2');
        await store.finishRun('r2', 'succeeded', report('r2'));
        const r2 = await store.getRun('r2');
        assert.equal(r2?.status, 'succeeded');
        assert.equal(r2?.report?.runId, 'r2');
        assert.ok(r2?.finishedAt);
        assert.equal((await store.latestUnfinishedRun('j'))?.id, 'r1');
        await store.finishRun('r1', 'interrupted', report('r1', 'interrupted'));
        assert.equal((await store.latestUnfinishedRun('j'))?.id, 'r1');
        await store.reopenRun('r1');
        const r1 = await store.getRun('r1');
        assert.equal(r1?.status, 'running');
        assert.equal(r1?.finishedAt, null);
        await assert.rejects(
          store.reopenRun('nope'),
          (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_NOT_FOUND',
        );
        await store.markRunning('r1', 'a');
        assert.equal((await store.batches('r1'))[0].status, 'running');
        await store.markFailed('r1', 'a', 'boom with tok-SECRET-123 inside', 3);
        const [a] = await store.batches('r1');
        assert.equal(a.status, 'failed');
        assert.equal(a.attempts, 3);
        assert.equal(a.lastError, 'boom with *** inside');
        assert.deepEqual(a.batch.params, { token: '***', d: 1 });
      } finally {
        clearSecrets();
      }
    },
  ],
  [
    'new columns appearing later are added',
    async ({ store, rows }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a'), batch('b')]);
      await store.commit('r1', batch('a'), rowsOf([['s1', 'd1', 1.5, 10]]), 1);
      const wider = [...FIELDS, 'amount'];
      await store.commit('r1', batch('b'), rowsOf([['s2', 'd1', 2.5, 20, 99.5]], wider), 1);
      const all = await rows();
      assert.equal(Number(all.find((r) => r.ts_code === 's2')?.amount), 99.5);
      const first = all.find((r) => r.ts_code === 's1');
      assert.ok(first?.amount === null || first?.amount === undefined);
    },
  ],
  [
    'an empty batch is marked done with zero rows',
    async ({ store, rows }) => {
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1) }, [batch('a')]);
      assert.equal(await store.commit('r1', batch('a'), { fields: [], pages: [], rowCount: 0 }, 1), 0);
      assert.deepEqual(
        (await store.batches('r1')).map((b) => [b.status, b.rows]),
        [['done', 0]],
      );
      assert.equal((await rows()).length, 0);
    },
  ],
  [
    'API facts are stored per api and host; a part left out keeps its stored value',
    async ({ store }) => {
      assert.deepEqual(await store.apiFacts(), []);
      const t1 = '2024-05-01T10:00:00.000Z';
      const t2 = '2024-05-02T10:00:00.000Z';
      await store.saveApiFacts([
        { api: 'daily', host: 'api.tushare.pro', quota: { calls: 10, intervalMs: 3_600_000, learnedAt: t1 } },
        { api: 'adj_factor', host: '127.0.0.1:7001', rowCap: { exact: 4000, atLeast: 4000, learnedAt: t1 } },
      ]);
      await store.saveApiFacts([{ api: 'daily', host: 'api.tushare.pro', rowCap: { atLeast: 300, learnedAt: t2 } }]);
      const byKey = Object.fromEntries((await store.apiFacts()).map((f) => [`${f.api}@${f.host}`, f]));
      assert.deepEqual(byKey['daily@api.tushare.pro'], {
        api: 'daily',
        host: 'api.tushare.pro',
        quota: { calls: 10, intervalMs: 3_600_000, learnedAt: t1 },
        rowCap: { atLeast: 300, learnedAt: t2 },
      });
      assert.deepEqual(byKey['adj_factor@127.0.0.1:7001'].rowCap, { exact: 4000, atLeast: 4000, learnedAt: t1 });
      assert.equal(byKey['adj_factor@127.0.0.1:7001'].quota, undefined);
    },
  ],
  [
    'done batches across runs: only leaves of runs of the job with the same fingerprint, any run status',
    async ({ store }) => {
      const w = (a: string, b: string): Partial<Batch> => ({ window: { start: a, end: b } });
      await store.createRun({ id: 'r1', job: 'j', startedAt: start(1), fingerprint: 'fp1' }, [
        batch('a', w('20240101', '20240131')),
        batch('b', w('20240201', '20240229')),
        batch('c', w('20240301', '20240331')),
      ]);
      await store.commit('r1', batch('a', w('20240101', '20240131')), rowsOf([]), 1);
      await store.markFailed('r1', 'c', 'boom', 1);
      await store.split('r1', 'b', [batch('b1', w('20240201', '20240214')), batch('b2', w('20240215', '20240229'))]);
      await store.commit('r1', batch('b1', w('20240201', '20240214')), rowsOf([['000001.SZ', '20240202', 1, 2]]), 1);
      await store.finishRun('r1', 'failed', report('r1', 'failed'));
      // an interrupted run with the same fingerprint counts; other jobs and fingerprints do not
      await store.createRun({ id: 'r2', job: 'j', startedAt: start(2), fingerprint: 'fp1' }, [
        batch('d', w('20240401', '20240430')),
      ]);
      await store.commit('r2', batch('d', w('20240401', '20240430')), rowsOf([]), 1);
      await store.createRun({ id: 'r3', job: 'j', startedAt: start(3), fingerprint: 'fp2' }, [
        batch('e', w('20240501', '20240531')),
      ]);
      await store.commit('r3', batch('e', w('20240501', '20240531')), rowsOf([]), 1);
      await store.createRun({ id: 'r4', job: 'other', startedAt: start(4), fingerprint: 'fp1' }, [
        batch('f', w('20240601', '20240630')),
      ]);
      await store.commit('r4', batch('f', w('20240601', '20240630')), rowsOf([]), 1);
      await store.createRun({ id: 'r5', job: 'j', startedAt: start(5) }, [batch('g', w('20240701', '20240731'))]);
      await store.commit('r5', batch('g', w('20240701', '20240731')), rowsOf([]), 1);
      const done = await store.doneBatches('j', 'fp1');
      assert.deepEqual(
        done.map((b) => [b.runId, b.key, b.batch.window, b.rows]),
        [
          ['r1', 'a', { start: '20240101', end: '20240131' }, 0],
          ['r1', 'b1', { start: '20240201', end: '20240214' }, 1],
          ['r2', 'd', { start: '20240401', end: '20240430' }, 0],
        ],
      );
      assert.deepEqual(await store.doneBatches('j', 'nope'), []);
    },
  ],
];
