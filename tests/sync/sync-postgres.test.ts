/**
 * `sluice sync` into PostgreSQL: the calendar and the codes are read back from the schema the sync
 * writes, every table is exact, and `sluice report` reads the sync's record there.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Emulator, checksum, startEmulator } from '../../src/emulator/index.js';
import { runCli, tempDir } from '../helpers/e2e.js';
import { requirePostgres, uniqueName } from '../helpers/services.js';

describe('sluice sync into PostgreSQL', () => {
  let emu: Emulator | undefined;
  let drop: (() => Promise<void>) | undefined;
  after(async () => {
    await emu?.close();
    await drop?.();
  });

  test('every table exact; the report reads the sync back', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const schema = uniqueName('sync');
    drop = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    };
    emu = await startEmulator({ port: 0, seed: 17, symbols: 15, token: 'pg-token' });
    const dir = tempDir('sluice-sync-pg-');
    const file = join(dir, 'mirror.json');
    const end = '20211231';
    writeFileSync(
      file,
      JSON.stringify({
        name: 'pgmirror',
        source: { type: 'tushare', url: emu.url, token: 'pg-token' },
        sink: { type: 'postgres', url, schema },
        start: '20190101',
        end,
        datasets: ['trade_cal', 'stock_basic', 'daily', { api: 'fina_indicator', table: 'fina' }],
      }),
    );
    const r = await runCli(['sync', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const data = emu.dataset;
    const want: Record<string, [string, unknown[][]]> = {
      trade_cal: ['trade_cal', [...data.rows('trade_cal', { start_date: '20190101', end_date: end })]],
      stock_basic: [
        'stock_basic',
        ['L', 'D', 'P'].flatMap((list_status) => [...data.rows('stock_basic', { list_status })]),
      ],
      daily: ['daily', [...data.rows('daily', { start_date: '20190101', end_date: end })]],
      fina: [
        'fina_indicator',
        [
          ...data.rows('fina_indicator', {
            ts_code: data.universe.codes.join(','),
            start_date: '20190101',
            end_date: end,
          }),
        ],
      ],
    };
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const [table, [api, rows]] of Object.entries(want)) {
        const fields = data.table(api)!.fields;
        const got = await c.query({
          text: `SELECT ${fields.map((f) => `"${f}"`).join(', ')} FROM "${schema}"."${table}"`,
          rowMode: 'array',
        });
        // PostgreSQL gives REAL columns back as numbers and text as text, as SQLite does
        assert.deepEqual(checksum(got.rows as unknown[][]), checksum(rows), table);
      }
    } finally {
      await c.end();
    }
    const id = JSON.parse(r.stdout).runId as string;
    const shown = await runCli(['report', id, '--db', `${url}?schema=${schema}`]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout + shown.stderr, new RegExp(`Sync ${id}  pgmirror  succeeded`));
    assert.match(shown.stdout + shown.stderr, /\n\s+fina\s+succeeded/);
  });
});
