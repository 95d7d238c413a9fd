import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore, openStoreAt, openStore, type SqliteStore } from '../../src/sinks/index.js';
import { SluiceError } from '../../src/core/errors.js';
import { STORE_CONTRACT, batch, rowsOf, type StoreHarness } from './store-contract.js';
import { GROUP_BREATHER_MS } from '../../src/sinks/sqlite/store.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'));
  dirs.push(d);
  return d;
}
process.on('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TABLE = { table: 'daily', key: ['ts_code', 'trade_date'] };

async function harness(groupCommitMs?: number): Promise<StoreHarness & { store: SqliteStore }> {
  const store = createSqliteStore({ path: join(tempDir(), 's.db'), table: TABLE, groupCommitMs });
  await store.open();
  return {
    store,
    upserts: true,
    rows: async () => {
      const exists = store.database.prepare("SELECT 1 FROM sqlite_master WHERE name = 'daily'").get();
      return exists ? (store.database.prepare('SELECT * FROM daily').all() as Record<string, unknown>[]) : [];
    },
  };
}

describe('SqliteStore declared column kinds', () => {
  test('declared kinds win over the values; new columns are declared too; an existing table is not altered', async () => {
    const path = join(tempDir(), 'kinds.db');
    const table = { ...TABLE, columns: { is_open: 'integer', trade_date: 'text', close: 'real' } as const };
    const store = createSqliteStore({ path, table });
    await store.open();
    await store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a'), batch('b')]);
    const fields = ['ts_code', 'trade_date', 'close', 'is_open', 'vol'];
    await store.commit('r', batch('a'), rowsOf([['a', '20240102', 10, 1, 300]], fields), 1);
    await store.commit('r', batch('b'), rowsOf([['a', '20240103', 10.5, 0, 2, 7]], [...fields, 'late']), 1);
    const types = (): Record<string, string> =>
      Object.fromEntries(
        (
          store.database.prepare('SELECT name, type FROM pragma_table_info(?)').all('daily') as {
            name: string;
            type: string;
          }[]
        ).map((c) => [c.name, c.type]),
      );
    assert.deepEqual(types(), {
      ts_code: 'TEXT',
      trade_date: 'TEXT',
      close: 'REAL',
      is_open: 'INTEGER',
      vol: 'REAL',
      late: 'REAL',
    });
    assert.deepEqual(store.database.prepare('SELECT typeof(close) AS c FROM daily ORDER BY trade_date').all(), [
      { c: 'real' },
      { c: 'real' },
    ]);
    await store.close();
    // a store declaring other kinds leaves the existing table as it is
    const again = createSqliteStore({ path, table: { ...TABLE, columns: { close: 'text', vol: 'integer' } } });
    await again.open();
    assert.equal(
      (
        again.database.prepare('SELECT type FROM pragma_table_info(?) WHERE name = ?').get('daily', 'vol') as {
          type: string;
        }
      ).type,
      'REAL',
    );
    await again.close();
  });
});

for (const groupCommitMs of [undefined, 2000]) {
  describe(`SqliteStore contract (groupCommitMs ${groupCommitMs ?? 'default'})`, () => {
    for (const [name, body] of STORE_CONTRACT) {
      test(name, async () => {
        const h = await harness(groupCommitMs);
        try {
          await body(h);
        } finally {
          await h.store.close();
        }
      });
    }
  });
}

describe('SqliteStore specifics', () => {
  test('a path in a missing directory is a SLUICE_BAD_JOB naming sink.path', async () => {
    const path = join(tempDir(), 'no-such-dir', 's.db');
    await assert.rejects(
      createSqliteStore({ path, table: TABLE }).open(),
      (e: unknown) =>
        e instanceof SluiceError &&
        e.code === 'SLUICE_BAD_JOB' &&
        /sink\.path/.test(e.message) &&
        /does not exist/.test(e.message),
    );
  });

  test('column types follow the values, whole numbers REAL (INTEGER only for a key); keys NOT NULL and the primary key', async () => {
    const h = await harness();
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    const fields = ['ts_code', 'trade_date', 'n', 'x', 'flag', 'mixed', 'nothing'];
    await h.store.commit(
      'r',
      batch('a'),
      rowsOf(
        [
          ['a', 20240101, 1, 1.5, true, 1, null],
          ['b', 20240102, 2, 2, false, 'x', null],
        ],
        fields,
      ),
      1,
    );
    const info = h.store.database
      .prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)')
      .all('daily') as { name: string; type: string; notnull: number; pk: number }[];
    const byName = Object.fromEntries(info.map((c) => [c.name, c]));
    assert.equal(byName.ts_code.type, 'TEXT');
    assert.equal(byName.trade_date.type, 'INTEGER');
    assert.equal(byName.n.type, 'REAL', 'a batch of whole numbers does not make an INTEGER column');
    assert.equal(byName.x.type, 'REAL');
    assert.equal(byName.flag.type, 'INTEGER');
    assert.equal(byName.mixed.type, 'TEXT');
    assert.equal(byName.nothing.type, '');
    assert.deepEqual([byName.ts_code.notnull, byName.ts_code.pk, byName.trade_date.pk], [1, 1, 2]);
    assert.deepEqual(h.store.database.prepare('SELECT flag FROM daily ORDER BY ts_code').all(), [
      { flag: 1 },
      { flag: 0 },
    ]);
    await h.store.close();
  });

  test('a row that makes the insert throw rolls back the whole batch and its done mark', async () => {
    for (const groupCommitMs of [undefined, 2000]) {
      const h = await harness(groupCommitMs);
      await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a'), batch('b')]);
      await h.store.commit('r', batch('a'), rowsOf([['s0', 'd', 1, 1]]), 1);
      await assert.rejects(
        h.store.commit(
          'r',
          batch('b'),
          rowsOf([
            ['s1', 'd', 1, 1],
            ['s2', 'd', 2, 2],
            [null, 'd', 3, 3],
          ]),
          1,
        ),
        (e: unknown) =>
          e instanceof SluiceError &&
          e.code === 'SLUICE_SINK' &&
          e.context.batchKey === 'b' &&
          /NOT NULL/.test(e.message),
      );
      await h.store.close();
      // Reopen: batch a's group committed, batch b left nothing behind.
      const db = new Database(h.store['options'].path);
      assert.deepEqual(db.prepare('SELECT ts_code FROM daily ORDER BY ts_code').all(), [{ ts_code: 's0' }]);
      assert.deepEqual(db.prepare('SELECT batch_key, status FROM sluice_batches ORDER BY seq').all(), [
        { batch_key: 'a', status: 'done' },
        { batch_key: 'b', status: 'pending' },
      ]);
      db.close();
    }
  });

  test('group commit: a batch the database refuses half-written rolls back its whole group, done marks too', async () => {
    const h = await harness(2000);
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [
      batch('a'),
      batch('b'),
      batch('c'),
    ]);
    await h.store.commit('r', batch('a'), rowsOf([['s0', 'd', 1, 1]]), 1);
    h.store.flush();
    await new Promise((r) => setTimeout(r, GROUP_BREATHER_MS + 20)); // past the breather: b opens a new group
    await h.store.commit('r', batch('b'), rowsOf([['s1', 'd', 1, 1]]), 1);
    // A rule of the user's own table that only the database knows about.
    h.store.database.exec(
      "CREATE TRIGGER no_s9 BEFORE INSERT ON daily WHEN NEW.ts_code = 's9' BEGIN SELECT RAISE(ABORT, 's9 refused'); END",
    );
    await assert.rejects(
      h.store.commit(
        'r',
        batch('c'),
        rowsOf([
          ['s2', 'd', 1, 1],
          ['s9', 'd', 2, 2],
        ]),
        1,
      ),
      (e: unknown) =>
        e instanceof SluiceError &&
        e.code === 'SLUICE_SINK' &&
        e.context.batchKey === 'c' &&
        /s9 refused/.test(e.message) &&
        /1 batches/.test(e.message),
    );
    assert.equal(h.store.database.inTransaction, false);
    // The group (b, c) is gone with its done marks; a, committed earlier, stays. b is failed, naming
    // why (c, the batch that failed, is the caller's to record).
    assert.deepEqual(h.store.database.prepare('SELECT ts_code FROM daily ORDER BY ts_code').all(), [{ ts_code: 's0' }]);
    assert.deepEqual(
      h.store.database.prepare('SELECT batch_key, status, last_error FROM sluice_batches ORDER BY seq').all(),
      [
        { batch_key: 'a', status: 'done', last_error: null },
        { batch_key: 'b', status: 'failed', last_error: 'rolled back with batch c (b): s9 refused' },
        { batch_key: 'c', status: 'pending', last_error: null },
      ],
    );
    // The store keeps working: the next batch starts a new group.
    await h.store.commit('r', batch('b'), rowsOf([['s1', 'd', 1, 1]]), 1);
    await h.store.close();
  });

  test('bad table, key or schema names are refused before anything is created', () => {
    const dir = tempDir();
    const path = join(dir, 'x.db');
    for (const table of [
      { table: 'daily; DROP TABLE x', key: ['a'] },
      { table: 'daily', key: ['a"b'] },
      { table: 'daily', key: [] },
      { table: '1abc', key: ['a'] },
      { table: 'daily', key: ['a', 'a'] },
    ]) {
      assert.throws(
        () => createSqliteStore({ path, table }),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_BAD_JOB' && /^sink\.(table|key)/.test(e.message),
      );
    }
    assert.equal(existsSync(path), false);
  });

  test('openStoreAt never creates a database and refuses a file without the journal', async () => {
    const dir = tempDir();
    const missing = join(dir, 'missing.db');
    assert.throws(
      () => openStoreAt(missing),
      (e: unknown) =>
        e instanceof SluiceError && e.code === 'SLUICE_NOT_FOUND' && e.message === `no Sluice database at ${missing}`,
    );
    assert.equal(existsSync(missing), false);
    const other = join(dir, 'other.db');
    new Database(other).close();
    await assert.rejects(
      openStoreAt(other).open(),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_NOT_FOUND',
    );
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, just some text that is long enough to look like a header\n'.repeat(20));
    await assert.rejects(
      openStoreAt(text).open(),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_NOT_FOUND',
    );
    const plain = new Database(other);
    assert.deepEqual(
      plain.pragma('journal_mode'),
      [{ journal_mode: 'delete' }],
      'a reader leaves the journal mode alone',
    );
    plain.close();
    const real = join(dir, 'real.db');
    const w = openStore({ type: 'sqlite', path: real, table: TABLE });
    await w.open();
    await w.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await w.close();
    const r = openStoreAt(real);
    await r.open();
    assert.equal((await r.getRun('latest'))?.id, 'r');
    await assert.rejects(
      r.commit('r', batch('a'), rowsOf([]), 1),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_SINK',
    );
    await r.close();
  });

  test('group commit: another connection sees a batch only once its group commits, and close commits it', async () => {
    const h = await harness(60_000);
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await h.store.commit('r', batch('a'), rowsOf([['s', 'd', 1, 1]]), 1);
    const path = h.store['options'].path as string;
    const reader = new Database(path, { readonly: true });
    const done = (): unknown => reader.prepare("SELECT count(*) AS n FROM sluice_batches WHERE status = 'done'").get();
    assert.deepEqual(done(), { n: 0 });
    await h.store.close();
    assert.deepEqual(done(), { n: 1 });
    assert.deepEqual(reader.prepare('SELECT count(*) AS n FROM daily').get(), { n: 1 });
    reader.close();
  });
});
