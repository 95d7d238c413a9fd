import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPostgresStore, openStoreAt, type PostgresStore } from '../../src/sinks/index.js';
import { SluiceError } from '../../src/core/errors.js';
import { clearSecrets } from '../../src/core/secrets.js';
import { dropSchemas, requirePostgres, uniqueName, POSTGRES_URL } from '../helpers/services.js';
import { STORE_CONTRACT, batch, rowsOf, type StoreHarness } from './store-contract.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TABLE = { table: 'daily', key: ['ts_code', 'trade_date'] };
const schemas: string[] = [];

after(async () => {
  // the server may have gone away: nothing to clean then
  await dropSchemas(schemas).catch(() => undefined);
});

async function harness(url: string, table = TABLE): Promise<StoreHarness & { store: PostgresStore; schema: string }> {
  const schema = uniqueName('sluice_test');
  schemas.push(schema);
  const store = createPostgresStore({ url, schema, table });
  await store.open();
  return {
    store,
    schema,
    upserts: true,
    rows: async () => {
      const exists = await store.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
        `"${schema}"."${table.table}"`,
      ]);
      if (!exists.rows[0].t) return [];
      return (await store.query(`SELECT * FROM "${schema}"."${table.table}"`)).rows as Record<string, unknown>[];
    },
  };
}

describe('PostgresStore contract', () => {
  for (const [name, body] of STORE_CONTRACT) {
    test(name, async (t) => {
      const url = await requirePostgres(t);
      if (!url) return;
      const h = await harness(url);
      try {
        await body(h);
      } finally {
        await h.store.close();
      }
    });
  }
});

describe('PostgresStore specifics', () => {
  test('concurrent splits of one run all land, children right after their parents', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const h = await harness(url);
    try {
      const parents = Array.from({ length: 60 }, (_, i) => batch(`p${String(i).padStart(2, '0')}`));
      await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, parents);
      // Four writers (one connection each, like four workers) split every parent at once, then the children.
      const writers = await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const s = createPostgresStore({ url, schema: h.schema, table: TABLE });
          await s.open();
          return s;
        }),
      );
      try {
        const by = (i: number): PostgresStore => writers[i % writers.length];
        await Promise.all(parents.map((p, i) => by(i).split('r', p.key, [batch(`${p.key}a`), batch(`${p.key}b`)])));
        await Promise.all(
          parents.map((p, i) => by(i + 1).split('r', `${p.key}a`, [batch(`${p.key}a1`), batch(`${p.key}a2`)])),
        );
      } finally {
        await Promise.all(writers.map((w) => w.close()));
      }
      const keys = (await h.store.batches('r')).map((b) => b.key);
      const expected = parents.flatMap((p) => [p.key, `${p.key}a`, `${p.key}a1`, `${p.key}a2`, `${p.key}b`]);
      assert.deepEqual(keys, expected);
    } finally {
      await h.store.close();
    }
  });

  test('COPY round-trips tabs, newlines, backslashes, unicode and nulls', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const h = await harness(url, { table: 'texts', key: ['id'] });
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, []);
    const text = fc
      .string({ unit: 'binary', maxLength: 30 })
      .filter((s) => !s.includes('\u0000') && !LONE_SURROGATE.test(s));
    const fixed = ['a\tb', 'line1\nline2\r\n', 'back\\slash\\N', '\\N', '', 'é中文😀', ' lead and trail ', '\\\t\\\n'];
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 25 }), async (values) => {
        const key = `b${seq++}`;
        await h.store.query(
          `INSERT INTO "${h.schema}".sluice_batches (run_id, seq, batch_key, params) VALUES ('r', $1, $2, '{}')`,
          [seq, key],
        );
        const all = [...fixed, ...values];
        const items = all.map((v, i) => [`${key}-${i}`, v, i + 0.5]);
        await h.store.commit('r', batch(key), rowsOf(items, ['id', 'body', 'x']), 1);
        const back = await h.store.query<{ id: string; body: string | null; x: number }>(
          `SELECT id, body, x FROM "${h.schema}".texts WHERE id LIKE $1`,
          [`${key}-%`],
        );
        const byId = new Map(back.rows.map((r) => [r.id, r]));
        assert.equal(byId.size, all.length);
        all.forEach((v, i) => {
          assert.equal(byId.get(`${key}-${i}`)?.body, v);
          assert.equal(byId.get(`${key}-${i}`)?.x, i + 0.5);
        });
      }),
      { numRuns: 25 },
    );
    await h.store.close();
  });

  test('declared column kinds win: integer bigint, real double precision, dates text', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const h = await harness(url, {
      table: 'declared',
      key: ['ts_code', 'trade_date'],
      columns: { is_open: 'integer', trade_date: 'text', close: 'real' },
    } as never);
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    const fields = ['ts_code', 'trade_date', 'close', 'is_open', 'vol'];
    await h.store.commit('r', batch('a'), rowsOf([['a', '20240102', 10, 1, 300]], fields), 1);
    const types = await h.store.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [h.schema, 'declared'],
    );
    assert.deepEqual(Object.fromEntries(types.rows.map((r) => [r.column_name, r.data_type])), {
      ts_code: 'text',
      trade_date: 'text',
      close: 'double precision',
      is_open: 'bigint',
      vol: 'double precision',
    });
  });

  test('column types follow the values; duplicate keys in one batch keep the last row', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const h = await harness(url, { table: 'typed', key: ['id'] });
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    const fields = ['id', 'n', 'x', 'flag', 'label', 'nothing'];
    await h.store.commit(
      'r',
      batch('a'),
      rowsOf(
        [
          [1, 2, 1.5, true, 'a', null],
          [2, 3, 2, false, 'b', null],
          [1, 9, 9.5, false, 'last', null],
        ],
        fields,
      ),
      1,
    );
    const types = await h.store.query<{ column_name: string; data_type: string; is_nullable: string }>(
      'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [h.schema, 'typed'],
    );
    const byName = Object.fromEntries(types.rows.map((r) => [r.column_name, r]));
    assert.equal(byName.id.data_type, 'bigint');
    assert.equal(byName.id.is_nullable, 'NO');
    assert.equal(byName.n.data_type, 'double precision');
    assert.equal(byName.x.data_type, 'double precision');
    assert.equal(byName.flag.data_type, 'boolean');
    assert.equal(byName.label.data_type, 'text');
    assert.equal(byName.nothing.data_type, 'text');
    const rows = (await h.store.query(`SELECT * FROM "${h.schema}".typed ORDER BY id`)).rows;
    assert.deepEqual(
      rows.map((r) => [String(r.id), r.n, r.label]),
      [
        ['1', 9, 'last'],
        ['2', 3, 'b'],
      ],
    );
    await h.store.close();
  });

  test('a row that makes the insert throw rolls back the batch and its done mark', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const h = await harness(url);
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a'), batch('b')]);
    await h.store.commit('r', batch('a'), rowsOf([['s0', 'd', 1, 1]]), 1);
    await assert.rejects(
      h.store.commit(
        'r',
        batch('b'),
        rowsOf([
          ['s1', 'd', 1, 1],
          [null, 'd', 2, 2],
        ]),
        1,
      ),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_SINK' && e.context.batchKey === 'b',
    );
    assert.deepEqual(
      (await h.rows()).map((r) => r.ts_code),
      ['s0'],
    );
    assert.deepEqual(
      (await h.store.batches('r')).map((b) => b.status),
      ['done', 'pending'],
    );
    // The store still works after the failed transaction.
    await h.store.commit('r', batch('b'), rowsOf([['s1', 'd', 1, 1]]), 2);
    assert.equal((await h.rows()).length, 2);
    await h.store.close();
  });

  test('the password never appears in errors', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const secret = 'Pw-Very-Secret-9876';
    const { hostname, port } = new URL(url);
    for (const bad of [
      `postgres://postgres:${secret}@${hostname}:${port}/no_such_db_${Date.now()}`,
      `postgres://postgres:${secret}@${hostname}:1/test`,
    ]) {
      const store = createPostgresStore({ url: bad, table: TABLE, connectTimeoutMs: 3000 });
      const err = await store.open().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SluiceError, 'open fails with a SluiceError');
      assert.equal(err.code, 'SLUICE_SINK');
      assert.ok(!err.message.includes(secret), err.message);
      assert.ok(!String(err.stack).includes(secret));
      assert.match(err.message, /postgres:\/\/postgres:\*\*\*@/);
      await store.close();
    }
    clearSecrets();
  });

  test('openStoreAt refuses a schema without the journal and reads one that has it', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const empty = uniqueName('sluice_none');
    const reader = openStoreAt(url, { schema: empty });
    await assert.rejects(reader.open(), (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_NOT_FOUND');
    const h = await harness(url);
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await h.store.close();
    const ok = openStoreAt(url, { schema: h.schema });
    await ok.open();
    assert.equal((await ok.getRun('latest'))?.id, 'r');
    await ok.close();
    // `--db URL?schema=NAME` (report, targets) reaches the same journal.
    const byUrl = openStoreAt(`${url}?schema=${h.schema}`);
    await byUrl.open();
    assert.equal((await byUrl.getRun('latest'))?.id, 'r');
    await byUrl.close();
  });

  test('bad identifiers are refused before connecting', () => {
    assert.throws(
      () => createPostgresStore({ url: POSTGRES_URL, schema: 'x"; DROP SCHEMA public; --', table: TABLE }),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_BAD_JOB' && /sink\.schema/.test(e.message),
    );
    assert.throws(
      () => createPostgresStore({ url: POSTGRES_URL, table: { table: 'a b', key: ['k'] } }),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_BAD_JOB',
    );
  });
});
