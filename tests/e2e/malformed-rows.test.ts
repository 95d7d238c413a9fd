/**
 * A server that garbles row lengths (a first value dropped now and then, a missing last value, an
 * extra value): nothing shifted is ever stored, the run does not say it succeeded, and once the
 * server is fixed `--resume` lands the exact table. SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { checksum, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { DAILY_FIELDS, expectedDaily, runCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { startGarbleProxy, type Garble, type GarbleProxy } from '../helpers/garble-proxy.js';
import { dropSchemas, requirePostgres, uniqueName } from '../helpers/services.js';

const START = '20200101';
const END = '20211231';

describe('rows whose length differs from fields', () => {
  let emu: Emulator;
  let proxy: GarbleProxy;
  let codes: string[];
  const dir = tempDir('sluice-garble-');
  const schemas: string[] = [];

  before(async () => {
    emu = await startEmulator({ port: 0, seed: 11, symbols: 8 });
    codes = emu.dataset.universe.codes.slice(0, 6);
    proxy = await startGarbleProxy(emu.url, () => undefined);
  });
  after(async () => {
    await proxy.close();
    await emu.close();
    await dropSchemas(schemas);
  });

  /** Three symbols are always garbled (one way each); the rest now and then (every third answer). */
  function breakServer(): void {
    const always: Record<string, Garble> = { [codes[0]]: 'drop-first', [codes[1]]: 'drop-last', [codes[2]]: 'extra' };
    proxy.rule = (params, n) => always[String(params.ts_code)] ?? (n % 3 === 0 ? 'drop-first' : undefined);
  }

  function job(name: string, sink?: Record<string, unknown>): string {
    return writeDailyJob(dir, {
      name,
      url: proxy.url,
      token: emu.token,
      db: join(dir, `${name}.db`),
      start: START,
      end: END,
      strategy: 'year',
      each: codes,
      extra: sink ? { sink } : {},
    });
  }

  /** First run against the broken server: exit 1, the garbled batches failed and named. */
  async function firstRun(path: string): Promise<void> {
    breakServer();
    const r = await runCli(['run', path, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'failed');
    assert.equal(report.batches.failed, 6, 'two years x three always-garbled symbols');
    assert.equal(report.batches.done, 6);
    assert.ok(proxy.garbled > 6);
    proxy.rule = () => undefined;
  }

  test('SQLite: nothing shifted is stored, the batches fail named, --resume is exact', async () => {
    const path = job('garble-sqlite');
    const db = join(dir, 'garble-sqlite.db');
    await firstRun(path);
    // only the good symbols' rows are stored, exactly (a shifted row would change the checksum)
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, START, END, codes.slice(3)));
    const conn = new Database(db, { readonly: true });
    const failed = conn.prepare("SELECT batch_key, last_error FROM sluice_batches WHERE status = 'failed'").all() as {
      batch_key: string;
      last_error: string;
    }[];
    conn.close();
    assert.equal(failed.length, 6);
    for (const f of failed) {
      assert.match(
        f.last_error,
        /^batch \S+, page 0 \(offset 0\): malformed answer: row \d+ has (7|9) values, fields has 8$/,
      );
      assert.ok(f.last_error.includes(f.batch_key));
    }
    const again = await runCli(['run', path, '--resume', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, START, END, codes));
  });

  test('PostgreSQL: nothing shifted is stored, --resume is exact', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const schema = uniqueName('sluice_garble');
    schemas.push(schema);
    const path = job('garble-pg', { type: 'postgres', url, schema, table: 'daily', key: ['ts_code', 'trade_date'] });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(() => client.end());
    const stored = async () => {
      const cols = DAILY_FIELDS.map((c) => `"${c}"`).join(', ');
      const r = await client.query({ text: `SELECT ${cols} FROM "${schema}".daily`, rowMode: 'array' });
      // PostgreSQL hands doubles back as numbers and text as strings, like the emulator's rows
      return checksum(r.rows as unknown[][]);
    };
    await firstRun(path);
    assert.deepEqual(await stored(), expectedDaily(emu.dataset, START, END, codes.slice(3)));
    const again = await runCli(['run', path, '--resume', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await stored(), expectedDaily(emu.dataset, START, END, codes));
  });
});
