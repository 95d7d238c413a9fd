/**
 * Messages and exit codes a user meets when something around the run is wrong: each names the
 * cause and what to do, and bad input is exit 2 before any call.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { finished, runCli, spawnCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { dropSchemas, requirePostgres, uniqueName } from '../helpers/services.js';

/** A folder in which no file can be created (even as root), or undefined. */
function readOnlyDir(base: string): string | undefined {
  const candidates = [join(base, 'ro'), '/sys'];
  mkdirSync(candidates[0], { recursive: true });
  chmodSync(candidates[0], 0o555);
  for (const dir of candidates) {
    const probe = join(dir, `.probe-${process.pid}`);
    try {
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    } catch {
      return dir;
    }
  }
  return undefined;
}

describe('messages and exit codes', () => {
  let emu: Emulator;
  const dir = tempDir('sluice-msg-');
  const schemas: string[] = [];
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 9, symbols: 5 });
  });
  after(async () => {
    await emu.close();
    await dropSchemas(schemas);
  });

  const job = (name: string, extra: Record<string, unknown> = {}) =>
    writeDailyJob(dir, {
      name,
      url: emu.url,
      token: emu.token,
      db: join(dir, `${name}.db`),
      start: '20200101',
      end: '20200331',
      strategy: 'month',
      extra,
    });

  /** Exit 2, one line matching `pattern`, and not a single call made. */
  async function refusedBeforeAnyCall(args: string[], pattern: RegExp): Promise<string> {
    const before = emu.stats().requests;
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(emu.stats().requests, before, 'no call was made');
    return r.stderr;
  }

  test('an existing table whose key differs: what differs and what to do (SQLite)', async () => {
    const db = join(dir, 'other-table.db');
    const conn = new Database(db);
    conn.exec('CREATE TABLE daily (ts_code TEXT, trade_date TEXT, close REAL, PRIMARY KEY (ts_code))');
    conn.close();
    const text = await refusedBeforeAnyCall(
      ['run', job('other-table'), '--db', db],
      /sink\.table: table daily already exists with primary key or unique index \(ts_code\), but sink\.key is \(ts_code, trade_date\).*Change sink\.key to match, or write to another table \(sink\.table\), or rename or drop the existing table daily/,
    );
    assert.doesNotMatch(text, /ON CONFLICT|--resume/);
    const noKey = join(dir, 'no-key.db');
    const c2 = new Database(noKey);
    c2.exec('CREATE TABLE daily (code TEXT, close REAL)');
    c2.close();
    await refusedBeforeAnyCall(
      ['run', job('no-key'), '--db', noKey],
      /table daily already exists without the columns ts_code, trade_date of sink\.key \(its columns: code, close\)/,
    );
    // a table that fits (a unique index on the key will do) is written into
    const fits = join(dir, 'fits.db');
    const c3 = new Database(fits);
    c3.exec('CREATE TABLE daily (ts_code TEXT, trade_date TEXT); CREATE UNIQUE INDEX k ON daily (trade_date, ts_code)');
    c3.close();
    const ok = await runCli(['run', job('fits'), '--db', fits, '--quiet']);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('an existing table whose key differs (PostgreSQL)', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const schema = uniqueName('sluice_msg');
    schemas.push(schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".daily (ts_code text, trade_date text)`);
    await client.end();
    await refusedBeforeAnyCall(
      ['run', job('pg-other'), '--db', `${url}?schema=${schema}`],
      /table daily already exists with no primary key or unique index, but sink\.key is \(ts_code, trade_date\)/,
    );
  });

  test('--db pointing at a directory or a read-only place: exit 2 before any call', async (t) => {
    await refusedBeforeAnyCall(['run', job('dir-db'), '--db', dir], /--db: .* is a directory; expected a file/);
    const ro = readOnlyDir(dir);
    if (!ro) {
      t.skip('no read-only folder here');
      return;
    }
    await refusedBeforeAnyCall(['run', job('ro-db'), '--db', join(ro, 'x.db')], /--db: directory .* is not writable/);
  });

  test('run --html into a read-only place: exit 2 before the run', async (t) => {
    const ro = readOnlyDir(dir);
    if (!ro) {
      t.skip('no read-only folder here');
      return;
    }
    await refusedBeforeAnyCall(
      ['run', job('ro-html'), '--html', join(ro, 'r.html')],
      /--html: directory .* is not writable/,
    );
    await refusedBeforeAnyCall(['run', job('dir-html'), '--html', dir], /--html: .* is a directory/);
  });

  test('--db chooses the sink from the URL or path: a .jsonl path, a SQLite file for a PostgreSQL job', async () => {
    const jsonl = join(dir, 'rows.jsonl');
    const r = await runCli(['run', job('to-jsonl'), '--db', jsonl, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    assert.ok(lines.length > 0);
    assert.ok(JSON.parse(lines[0]).ts_code);
    assert.ok(existsSync(`${jsonl}.journal.db`));

    const pgJob = job('pg-job', {
      sink: {
        type: 'postgres',
        url: 'postgres://nobody@127.0.0.1:1/none',
        table: 'daily',
        key: ['ts_code', 'trade_date'],
      },
    });
    const file = join(dir, 'from-pg-job.db');
    const s = await runCli(['run', pgJob, '--db', file, '--quiet']);
    assert.equal(s.code, 0, s.stderr);
    assert.ok(tableFacts(file, 'daily').rows > 0);
  });

  test('--db postgres://...?schema= with a SQLite job writes into that schema', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const schema = uniqueName('sluice_dbflag');
    schemas.push(schema);
    const sqliteJob = job('to-pg');
    const r = await runCli(['run', sqliteJob, '--db', `${url}?schema=${schema}`, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(dir, 'to-pg.db')), 'the job file’s SQLite path was not used');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const n = await client.query(`SELECT count(*)::int AS n FROM "${schema}".daily`);
    await client.end();
    assert.ok(n.rows[0].n > 0);
    const report = await runCli(['report', 'latest', '--db', `${url}?schema=${schema}`, '--json']);
    assert.equal(JSON.parse(report.stdout).job, 'to-pg');
    await refusedBeforeAnyCall(
      ['run', sqliteJob, '--db', `${url}?schema=bad-name`],
      /--db: \?schema= expects an identifier/,
    );
  });

  test('a .json job file is JSON: a trailing comma is exit 2 naming the file and the position', async () => {
    const path = join(dir, 'comma.json');
    writeFileSync(
      path,
      `{\n  "name": "comma",\n  "source": { "type": "file", "path": "x.csv" },\n  "plan": { "start": "20200101", "end": "20200102" },\n  "sink": { "table": "t", "key": ["k"] },\n}\n`,
    );
    const r = await runCli(['run', path]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON at line 6, column 1: `),
    );
    // the same text in a .yaml file is YAML (flow mappings allow the comma)
    const yaml = join(dir, 'comma.yaml');
    writeFileSync(yaml, readFileSync(path, 'utf8'));
    const y = await runCli(['run', yaml]);
    assert.doesNotMatch(y.stderr, /not valid/);
  });

  test('SIGTERM in the first moments of a run exits 130, not 143', async () => {
    // Node's module loader says when it starts loading the run command (NODE_DEBUG=esm): the
    // signal lands while the command's modules load, before the run's own handlers exist
    const child = spawnCli(['run', job('early-term'), '--quiet'], { NODE_DEBUG: 'esm' });
    const exit = finished(child);
    let said = '';
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        said += d.toString();
        if (/commands\/run\.js/.test(said)) {
          child.stderr?.off('data', onData);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.on('close', () => resolve());
    });
    child.kill('SIGTERM');
    const r = await exit;
    assert.equal(r.signal, null, 'not killed by the signal');
    assert.equal(r.code, 130);
  });
});
