/**
 * Workers writing into PostgreSQL: three `sluice worker` processes share one Postgres table and
 * journal; the table is exact and no call is refused for rate.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { checksum } from '../../src/emulator/index.js';
import { DAILY_FIELDS, expectedDaily, finished, spawnCli } from '../helpers/e2e.js';
import { dropSchemas, requirePostgres, uniqueName } from '../helpers/services.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { END, START, workersFixture } from './workers-fixture.js';

describe('sluice worker: a shared PostgreSQL sink', () => {
  const f = workersFixture();
  const schemas: string[] = [];

  after(async () => {
    await dropSchemas(schemas);
  });

  test('three workers land the exact table in Postgres', async (t) => {
    if (!(await redisAvailable(t))) return;
    const url = await requirePostgres(t);
    if (!url) return;
    const schema = uniqueName('sluice_workers');
    schemas.push(schema);
    const { path, name } = f.job('pg', {
      type: 'postgres',
      url,
      schema,
      table: 'daily',
      key: ['ts_code', 'trade_date'],
    });
    const refusedBefore = f.emu().stats().rejectedRate;
    const workers = [f.worker(name), f.worker(name), f.worker(name)];
    const run = await finished(
      spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token }),
    );
    await f.stop(workers);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'succeeded');
    assert.equal(f.emu().stats().rejectedRate - refusedBefore, 0, 'no call was refused for rate');

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const cols = DAILY_FIELDS.map((c) => `"${c}"`).join(', ');
      const result = await client.query({ text: `SELECT ${cols} FROM "${schema}".daily`, rowMode: 'array' });
      const expected = expectedDaily(f.emu().dataset, START, END, f.emu().dataset.universe.codes.slice(0, 6));
      assert.equal(result.rows.length, expected.count);
      assert.deepEqual(checksum(result.rows as unknown[][]), expected);
      const done = await client.query(
        `SELECT count(*)::int AS n FROM "${schema}".sluice_batches WHERE status = 'done'`,
      );
      assert.equal(done.rows[0].n, 48);
    } finally {
      await client.end();
    }
  });
});
