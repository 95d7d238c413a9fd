/**
 * A group of SQLite commits that cannot COMMIT is an error of its batches: they are marked failed
 * with the cause, the error is thrown by the next commit or flush, and a run with it does not end
 * "succeeded". A full disk (SQLITE_FULL) is named as such.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/sinks/index.js';
import { isSluiceError } from '../../src/core/errors.js';
import { batch, rowsOf } from './store-contract.js';

const TABLE = { table: 'daily', key: ['ts_code', 'trade_date'] };
const dir = mkdtempSync(join(tmpdir(), 'sluice-group-fail-'));

/**
 * A deferred foreign key that the rows of `daily` break: every statement passes, the COMMIT fails.
 * (SQLite checks deferred constraints at COMMIT; foreign keys are a per-connection setting.)
 */
function failCommits(db: Database.Database): void {
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY);
    CREATE TABLE child (id TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TRIGGER break_commit AFTER INSERT ON daily BEGIN INSERT INTO child VALUES ('nobody'); END;`);
}

async function storeWithTable(name: string, groupCommitMs: number) {
  const path = join(dir, name);
  const store = createSqliteStore({ path, table: TABLE, groupCommitMs });
  await store.open();
  await store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [
    batch('a'),
    batch('b'),
    batch('c'),
    batch('d'),
  ]);
  // the first commit creates the table; commit it on its own so the trigger can refer to it
  await store.commit('r', batch('a'), rowsOf([['s0', 'd', 1, 1]]), 1);
  store.flush();
  failCommits(store.database);
  return { store, path };
}

function journal(path: string): { batch_key: string; status: string; last_error: string | null }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT batch_key, status, last_error FROM sluice_batches ORDER BY seq').all() as never;
  } finally {
    db.close();
  }
}

describe('a failed SQLite group commit', () => {
  test('on the timer: the batches are failed, named, and the next commit throws it', async () => {
    const { store, path } = await storeWithTable('timer.db', 30);
    await new Promise((r) => setTimeout(r, 300)); // past the breather, so b and c share a group
    await store.commit('r', batch('b'), rowsOf([['s1', 'd', 1, 1]]), 2);
    await store.commit('r', batch('c'), rowsOf([['s2', 'd', 1, 1]]), 1);
    await new Promise((r) => setTimeout(r, 100)); // the group's timer fires and its COMMIT fails
    const rows = journal(path);
    assert.deepEqual(
      rows.map((r) => [r.batch_key, r.status]),
      [
        ['a', 'done'],
        ['b', 'failed'],
        ['c', 'failed'],
        ['d', 'pending'],
      ],
    );
    assert.match(rows[1].last_error ?? '', /^committing 2 batches into daily \(b, c\): FOREIGN KEY constraint failed/);
    await assert.rejects(
      store.commit('r', batch('d'), rowsOf([['s3', 'd', 1, 1]]), 1),
      (e: unknown) => isSluiceError(e) && e.code === 'SLUICE_SINK' && /committing 2 batches into daily/.test(e.message),
    );
    await store.close();
  });

  test('at flush (the end of a local run): flush throws it and the batches are failed', async () => {
    const { store, path } = await storeWithTable('flush.db', 60_000);
    await new Promise((r) => setTimeout(r, 300));
    await store.commit('r', batch('b'), rowsOf([['s1', 'd', 1, 1]]), 1);
    assert.throws(() => store.flush(), /committing 1 batches into daily \(b\): FOREIGN KEY constraint failed/);
    store.flush(); // thrown once
    await store.close();
    assert.equal(journal(path)[1].status, 'failed');
  });

  test('a full disk (SQLITE_FULL) names the disk, not a statement', async () => {
    const path = join(dir, 'full.db');
    const store = createSqliteStore({ path, table: TABLE, groupCommitMs: 2000 });
    await store.open();
    await store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    // SQLite's own size limit gives the very error a full disk gives
    const pages = store.database.pragma('page_count', { simple: true }) as number;
    store.database.pragma(`max_page_count = ${pages + 1}`);
    const many = rowsOf(Array.from({ length: 2000 }, (_, i) => [`s${i}`, '20240102', i, i * 1.5]));
    await assert.rejects(
      store.commit('r', batch('a'), many, 1),
      (e: unknown) =>
        isSluiceError(e) &&
        e.code === 'SLUICE_SINK' &&
        e.message.includes(`the disk holding ${path} is full`) &&
        /SQLITE_FULL/.test(e.message) &&
        /--resume/.test(e.message) &&
        !/no such table/.test(e.message),
    );
    await store.close();
  });
});

describe('a failed group commit in a local run', () => {
  test('the engine stops with the error named, and every batch of the group is failed, none done', async () => {
    const { createLocalEngine } = await import('../../src/job/local-engine.js');
    const { Emitter } = await import('../../src/core/events.js');
    const { FakeSource } = await import('../helpers/run-fake-source.js');
    const path = join(dir, 'engine.db');
    const store = createSqliteStore({ path, table: { table: 'fake', key: ['date', 'i'] }, groupCommitMs: 60_000 });
    await store.open();
    store.database.exec('CREATE TABLE fake (date TEXT NOT NULL, i INTEGER NOT NULL, PRIMARY KEY (date, i))');
    const db = store.database;
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY);
      CREATE TABLE child (id TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER break_commit AFTER INSERT ON fake BEGIN INSERT INTO child VALUES ('nobody'); END;`);
    const batches = ['x', 'y', 'z'].map((k) => ({ key: k, params: {} }));
    await store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, batches);
    const engine = createLocalEngine(store, { source: new FakeSource(), concurrency: 2 });
    const done: string[] = [];
    await assert.rejects(
      (async () => {
        const run = engine.run({ runId: 'r', batches, signal: new AbortController().signal, events: new Emitter() });
        for await (const o of run) done.push(o.status);
      })(),
      (e: unknown) => isSluiceError(e) && /committing 3 batches into fake \(x, y, z\)/.test(e.message),
    );
    assert.deepEqual(done, ['done', 'done', 'done'], 'the engine saw them written; the COMMIT said otherwise');
    await store.close();
    assert.deepEqual(
      journal(path).map((r) => r.status),
      ['failed', 'failed', 'failed'],
    );
  });
});
