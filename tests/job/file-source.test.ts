import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseJob } from '../../src/job/load.js';
import { runJob } from '../../src/job/run.js';
import { createFileSource, splitCsvLine } from '../../src/sources/index.js';
import { tempDir } from '../helpers/e2e.js';
import { simpleCall } from '../helpers/simple-call.js';

describe('file source', () => {
  test('CSV cells follow RFC 4180 quoting', () => {
    assert.deepEqual(splitCsvLine('a,"b,c","say ""hi""",'), ['a', 'b,c', 'say "hi"', '']);
  });

  test('a batch gets exactly the rows of its window and partition value, in pages', async () => {
    const dir = tempDir('sluice-file-');
    const path = join(dir, 'prices.csv');
    const lines = ['ts_code,trade_date,close'];
    for (let d = 1; d <= 31; d++)
      for (const c of ['A', 'B']) lines.push(`${c},202301${String(d).padStart(2, '0')},${d}.5`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const source = createFileSource({ path, rowCap: 4 });
    const batch = {
      key: 'k',
      params: { ts_code: 'B', start_date: '20230110', end_date: '20230119' },
      window: { start: '20230110', end: '20230119' },
    };
    const pages = [];
    for await (const p of source.fetch(batch, simpleCall())) pages.push(p);
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [4, 4, 2],
    );
    const rows = pages.flatMap((p) => p.items);
    assert.ok(rows.every((r) => r[0] === 'B'));
    assert.deepEqual(
      rows.map((r) => r[1]),
      Array.from({ length: 10 }, (_, i) => 20230110 + i),
    );
    assert.equal(rows[0][2], 10.5);
  });

  test('a job from a JSON Lines file lands every row once in SQLite', async () => {
    const dir = tempDir('sluice-file-');
    const path = join(dir, 'rows.jsonl');
    const rows = [];
    for (let d = 1; d <= 28; d++)
      rows.push(JSON.stringify({ code: 'X', trade_date: `2023-02-${String(d).padStart(2, '0')}`, v: d }));
    writeFileSync(path, rows.join('\n'));
    const db = join(dir, 'out.db');
    const job = parseJob(
      {
        name: 'from-file',
        source: { type: 'file', path, rowCap: 5 },
        plan: { start: '2023-02-01', end: '2023-02-28', strategy: 'week' },
        sink: { path: db, table: 'vals', key: ['code', 'trade_date'] },
      },
      {},
      'job',
    );
    const result = await runJob(job, { progress: 'quiet', note: () => {} });
    assert.equal(result.exitCode, 0);
    const conn = new Database(db, { readonly: true });
    const got = conn.prepare('SELECT COUNT(*) AS n, SUM(v) AS s FROM vals').get() as { n: number; s: number };
    conn.close();
    assert.deepEqual(got, { n: 28, s: (28 * 29) / 2 });
    assert.equal(result.report.rows.written, 28);
  });

  test('window parameters are not column filters, even when a column has their name', async () => {
    const dir = tempDir('sluice-file-');
    const path = join(dir, 'fina.csv');
    writeFileSync(
      path,
      'ts_code,ann_date,end_date,eps\nA,20230420,20230331,1.5\nA,20230825,20230630,1.7\nA,20231030,20230930,1.9\n',
    );
    const source = createFileSource({ path, dateField: 'ann_date', windowParams: ['start_date', 'end_date'] });
    const batch = {
      key: 'k',
      params: { start_date: '20230101', end_date: '20231231' },
      window: { start: '20230101', end: '20231231' },
    };
    const rows = [];
    for await (const p of source.fetch(batch, simpleCall())) rows.push(...p.items);
    assert.equal(rows.length, 3);
  });

  test('a missing date column is a job error naming the file', async () => {
    const dir = tempDir('sluice-file-');
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    const source = createFileSource({ path });
    await assert.rejects(async () => {
      for await (const _ of source.fetch({ key: 'k', params: {} }, simpleCall())) {
        /* drain */
      }
    }, /no column trade_date/);
  });
});
