/**
 * `sluice sync --queue`: every dataset's batches go through `sluice worker` processes (the token
 * from the workers' environment, never in Redis), and every table lands exactly.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { type Emulator, checksum, startEmulator } from '../../src/emulator/index.js';
import { QUEUE_PREFIX, queueNameFor } from '../../src/distributed/wire.js';
import { runCli, spawnCli, tempDir } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from '../distributed/redis-check.js';

const DATASETS = ['trade_cal', 'stock_basic', 'daily', 'fina_indicator'];

describe('sluice sync --queue', () => {
  let emu: Emulator | undefined;
  const workers: ChildProcess[] = [];
  const name = `q${randomUUID().slice(0, 8)}`;
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await emu?.close();
    for (const ds of DATASETS) {
      const queue = new Queue(queueNameFor(`${name}.${ds}`), {
        connection: { host: '127.0.0.1', port: 6379 },
        prefix: QUEUE_PREFIX,
      });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close().catch(() => undefined);
    }
  });

  test('every dataset runs on the workers; the tables are exact', async (t) => {
    if (!(await redisAvailable(t))) return;
    emu = await startEmulator({ port: 0, seed: 13, symbols: 12, token: 'queue-token' });
    const dir = tempDir('sluice-sync-queue-');
    const db = join(dir, 'mirror.db');
    const file = join(dir, 'mirror.json');
    const end = '20211231';
    writeFileSync(
      file,
      JSON.stringify({
        name,
        source: { type: 'tushare', url: emu.url, token: '${EMU_TOKEN}' },
        sink: { type: 'sqlite', path: db },
        start: '20190101',
        end,
        datasets: DATASETS,
      }),
    );
    const jobs = DATASETS.flatMap((ds) => ['--job', `${name}.${ds}`]);
    const worker = spawnCli(['worker', '--queue', REDIS_URL, ...jobs, '--concurrency', '2'], {
      EMU_TOKEN: 'queue-token',
    });
    worker.stdout?.resume();
    worker.stderr?.resume();
    workers.push(worker);
    const r = await runCli(['sync', file, '--queue', REDIS_URL, '--json'], { EMU_TOKEN: 'queue-token' });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.sync.datasets.map((d: { state: string }) => d.state),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
    const data = emu.dataset;
    const codes = data.universe.codes.join(',');
    const want: Record<string, unknown[][]> = {
      trade_cal: [...data.rows('trade_cal', { start_date: '20190101', end_date: end })],
      stock_basic: ['L', 'D', 'P'].flatMap((list_status) => [...data.rows('stock_basic', { list_status })]),
      daily: [...data.rows('daily', { start_date: '20190101', end_date: end })],
      fina_indicator: [...data.rows('fina_indicator', { ts_code: codes, start_date: '20190101', end_date: end })],
    };
    const conn = new Database(db, { readonly: true });
    try {
      for (const [table, rows] of Object.entries(want)) {
        const cols = data
          .table(table)!
          .fields.map((f) => `"${f}"`)
          .join(', ');
        const got = conn.prepare(`SELECT ${cols} FROM "${table}"`).raw(true).all() as unknown[][];
        assert.deepEqual(checksum(got), checksum(rows), table);
      }
    } finally {
      conn.close();
    }
  });
});
