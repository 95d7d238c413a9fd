/**
 * One run of a job at a time on a database: a second `sluice run` of the same job is refused
 * naming the first run (exit 1), or waits with --wait; a lock left by a process killed with
 * SIGKILL does not block; a lease from another machine blocks until it expires. SQLite, JSONL's
 * journal and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { finished, runCli, sleepMs, spawnCli, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { dropSchemas, requirePostgres, uniqueName } from '../helpers/services.js';
import { startGarbleProxy, type GarbleProxy } from '../helpers/garble-proxy.js';

/** The lock row of `job` in a SQLite file, once it exists. */
function sqliteLock(db: string, job: string): { run_id: string; pid: number } | undefined {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare('SELECT run_id, pid FROM sluice_locks WHERE job = ?').get(job) as never;
    } finally {
      conn.close();
    }
  } catch {
    return undefined;
  }
}

/** Runs in the journal of a SQLite file, once there is one. */
function runsIn(db: string): number | undefined {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const n = (conn.prepare('SELECT count(*) AS n FROM sluice_runs').get() as { n: number }).n;
      return n > 0 ? n : undefined;
    } finally {
      conn.close();
    }
  } catch {
    return undefined;
  }
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleepMs(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const REFUSED =
  /job (\S+) is already running on .*: run (\S+) \(pid (\d+) on \S+, running for \d+ s, last seen \d+ s ago\); wait for it to finish, or run with --wait/;

describe('one run of a job at a time', () => {
  let emu: Emulator;
  let gate: GarbleProxy;
  const dir = tempDir('sluice-lock-');
  const schemas: string[] = [];
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 4, symbols: 6 });
    gate = await startGarbleProxy(emu.url, () => undefined);
  });
  after(async () => {
    gate.open();
    await gate.close();
    await emu.close();
    await dropSchemas(schemas);
  });

  /** A job of 12 one-call batches through the gate: it runs while the gate holds its calls. */
  function slowJob(name: string, db: string, sink?: Record<string, unknown>): string {
    return writeDailyJob(dir, {
      name,
      url: gate.url,
      token: emu.token,
      db,
      start: '20200101',
      end: '20201231',
      strategy: 'month',
      timeoutMs: 30_000,
      concurrency: 2,
      ...(sink ? { extra: { sink } } : {}),
    });
  }

  test('SQLite: the second run is refused naming the first; with --wait it runs after it', async () => {
    const db = join(dir, 'two.db');
    const job = slowJob('two', db);
    gate.hold();
    const first = finished(spawnCli(['run', job, '--quiet']));
    const held = await until(() => sqliteLock(db, 'two'), 'the first run to take the lock');
    const second = await runCli(['run', job, '--quiet']);
    assert.equal(second.code, 1, second.stderr);
    const m = REFUSED.exec(second.stderr);
    assert.ok(m, second.stderr);
    assert.equal(m[1], 'two');
    assert.equal(m[2], held.run_id);
    assert.equal(Number(m[3]), held.pid);
    assert.doesNotMatch(second.stderr, /run \S+ \(two\) (succeeded|failed)/, 'refused before anything ran');

    const child = spawnCli(['run', job, '--quiet', '--wait']);
    let said = '';
    child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    const waiting = finished(child);
    await until(() => (/waiting for it to finish/.test(said) ? true : undefined), 'the --wait run to wait');
    gate.open();
    const a = await first;
    assert.equal(a.code, 0, a.stderr);
    const b = await waiting;
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, new RegExp(`run ${held.run_id} .*waiting for it to finish \\(--wait\\)`));
    assert.match(b.stderr, /\(two\) succeeded/);
    assert.equal(sqliteLock(db, 'two'), undefined, 'released at the end');
  });

  test('SQLite: a lock left by a run killed with SIGKILL does not block the next run', async () => {
    const db = join(dir, 'killed.db');
    const job = slowJob('killed', db);
    gate.hold();
    const child = spawnCli(['run', job, '--quiet']);
    const exit = finished(child);
    await until(() => sqliteLock(db, 'killed'), 'the run to take the lock');
    await until(() => runsIn(db), 'the run to be created');
    child.kill('SIGKILL');
    assert.equal((await exit).signal, 'SIGKILL');
    assert.ok(sqliteLock(db, 'killed'), 'the dead run left its lock behind');
    gate.open();
    const next = await runCli(['run', job, '--quiet', '--resume']);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /resuming run/);
  });

  test('SQLite: a lease held from another machine blocks until it expires', async () => {
    const db = join(dir, 'remote.db');
    const job = slowJob('remote', db);
    const seed = await runCli(['run', job, '--quiet']); // creates the database and its lock table
    assert.equal(seed.code, 0, seed.stderr);
    const conn = new Database(db);
    const put = (renewedMs: number) =>
      conn
        .prepare("INSERT OR REPLACE INTO sluice_locks VALUES ('remote', 'tok', 'RUN-ELSEWHERE', 1, 'other-host', ?, ?)")
        .run(new Date(renewedMs).toISOString(), renewedMs);
    put(Date.now());
    const refused = await runCli(['run', job, '--quiet']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /run RUN-ELSEWHERE \(pid 1 on other-host/);
    put(Date.now() - 120_000); // not renewed for two minutes: expired
    conn.close();
    const taken = await runCli(['run', job, '--quiet']);
    assert.equal(taken.code, 0, taken.stderr);
  });

  test("JSONL: the lock lives in the store's journal", async () => {
    const data = join(dir, 'rows.jsonl');
    const job = slowJob('jsonl', data, { type: 'jsonl', path: data, table: 'daily', key: ['ts_code', 'trade_date'] });
    gate.hold();
    const first = finished(spawnCli(['run', job, '--quiet']));
    await until(() => sqliteLock(`${data}.journal.db`, 'jsonl'), 'the first run to take the lock');
    const second = await runCli(['run', job, '--quiet']);
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, REFUSED);
    gate.open();
    assert.equal((await first).code, 0);
  });

  test('PostgreSQL: the second run is refused naming the first', async (t) => {
    const url = await requirePostgres(t);
    if (!url) return;
    const schema = uniqueName('sluice_lock');
    schemas.push(schema);
    const job = slowJob('pglock', '', {
      type: 'postgres',
      url,
      schema,
      table: 'daily',
      key: ['ts_code', 'trade_date'],
    });
    gate.hold();
    const first = finished(spawnCli(['run', job, '--quiet']));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(() => client.end());
    const held = await until(async () => {
      try {
        const r = await client.query(`SELECT run_id FROM "${schema}".sluice_locks WHERE job = 'pglock'`);
        return r.rows[0] as { run_id: string } | undefined;
      } catch {
        return undefined;
      }
    }, 'the first run to take the lock');
    const second = await runCli(['run', job, '--quiet']);
    assert.equal(second.code, 1, second.stderr);
    assert.equal(REFUSED.exec(second.stderr)?.[2], held.run_id);
    gate.open();
    assert.equal((await first).code, 0);
  });
});
