import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createJsonlStore, openStoreAt, type JsonlStore } from '../../src/sinks/index.js';
import { toJsonLines } from '../../src/sinks/jsonl.js';
import { SluiceError } from '../../src/core/errors.js';
import { STORE_CONTRACT, batch, rowsOf, type StoreHarness } from './store-contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-jsonl-'));
  dirs.push(d);
  return d;
}
process.on('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TABLE = { table: 'daily', key: ['ts_code', 'trade_date'] };

function readLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function harness(): Promise<StoreHarness & { store: JsonlStore; path: string }> {
  const path = join(tempDir(), 'out.jsonl');
  const store = createJsonlStore({ path, table: TABLE });
  await store.open();
  return { store, path, upserts: false, rows: async () => readLines(path) };
}

describe('JsonlStore contract', () => {
  for (const [name, body] of STORE_CONTRACT) {
    test(name, async () => {
      const h = await harness();
      try {
        await body(h);
      } finally {
        await h.store.close();
      }
    });
  }
});

describe('JsonlStore specifics', () => {
  test('the journal lives next to the data file and records its committed length', async () => {
    const h = await harness();
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await h.store.commit('r', batch('a'), rowsOf([['s', 'd', 1.5, 2]]), 1);
    assert.ok(existsSync(`${h.path}.journal.db`));
    assert.equal(h.store.committedBytes, statSync(h.path).size);
    await h.store.close();
  });

  test('on reopen, bytes after the last committed batch (a half-written batch) are cut off', async () => {
    const h = await harness();
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a'), batch('b')]);
    await h.store.commit(
      'r',
      batch('a'),
      rowsOf([
        ['s1', 'd', 1, 1],
        ['s2', 'd', 2, 2],
      ]),
      1,
    );
    const committed = statSync(h.path).size;
    await h.store.close();
    // A crash after some of batch b's lines reached the file but before its done mark committed.
    appendFileSync(h.path, '{"ts_code":"s3","trade_date":"d","close":3,"vol":3}\n{"ts_code":"s4","trad');
    const again = createJsonlStore({ path: h.path, table: TABLE });
    await again.open();
    assert.equal(statSync(h.path).size, committed);
    assert.deepEqual(
      (await again.batches('r', ['pending'])).map((b) => b.key),
      ['b'],
    );
    await again.commit(
      'r',
      batch('b'),
      rowsOf([
        ['s3', 'd', 3, 3],
        ['s4', 'd', 4, 4],
      ]),
      2,
    );
    await again.close();
    assert.deepEqual(
      readLines(h.path).map((r) => r.ts_code),
      ['s1', 's2', 's3', 's4'],
    );
  });

  test('a data file shorter than the journal says is refused', async () => {
    const h = await harness();
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await h.store.commit('r', batch('a'), rowsOf([['s1', 'd', 1, 1]]), 1);
    await h.store.close();
    rmSync(h.path);
    await assert.rejects(
      createJsonlStore({ path: h.path, table: TABLE }).open(),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_SINK',
    );
  });

  test('a new journal next to a non-empty data file keeps the existing bytes and appends after them', async () => {
    const path = join(tempDir(), 'old.jsonl');
    const existing = '{"ts_code":"old","trade_date":"d","close":0,"vol":0}\n';
    appendFileSync(path, existing);
    const store = createJsonlStore({ path, table: TABLE });
    await store.open();
    assert.equal(readFileSync(path, 'utf8'), existing);
    assert.equal(store.committedBytes, Buffer.byteLength(existing));
    await store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await store.commit('r', batch('a'), rowsOf([['s1', 'd', 1, 1]]), 1);
    await store.close();
    assert.deepEqual(
      readLines(path).map((r) => r.ts_code),
      ['old', 's1'],
    );
  });

  test('a path in a missing directory is a SLUICE_BAD_JOB naming sink.path', async () => {
    const path = join(tempDir(), 'no-such-dir', 'out.jsonl');
    await assert.rejects(
      createJsonlStore({ path, table: TABLE }).open(),
      (e: unknown) =>
        e instanceof SluiceError &&
        e.code === 'SLUICE_BAD_JOB' &&
        /sink\.path/.test(e.message) &&
        /does not exist/.test(e.message),
    );
  });

  test('openStoreAt reads a .jsonl file through its journal and never creates one', async () => {
    const h = await harness();
    await h.store.createRun({ id: 'r', job: 'j', startedAt: '2024-01-01T00:00:00.000Z' }, [batch('a')]);
    await h.store.close();
    const reader = openStoreAt(h.path);
    await reader.open();
    assert.equal((await reader.getRun('latest'))?.id, 'r');
    await reader.close();
    const missing = join(tempDir(), 'none.jsonl');
    assert.throws(
      () => openStoreAt(missing),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_NOT_FOUND',
    );
    assert.equal(existsSync(`${missing}.journal.db`), false);
  });

  test('every row round-trips through a JSON line, whatever its strings hold', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ unit: 'binary' }),
            fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.boolean()),
          ),
          { maxLength: 20 },
        ),
        (items) => {
          const text = toJsonLines(rowsOf(items, ['s', 'v']));
          const back = text
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as { s: string; v: unknown });
          assert.equal(back.length, items.length);
          back.forEach((r, i) => {
            assert.equal(r.s, items[i][0]);
            assert.equal(r.v, Object.is(items[i][1], -0) ? 0 : items[i][1]);
          });
        },
      ),
    );
  });
});
