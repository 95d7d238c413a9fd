/**
 * Crash safety: a run killed with SIGKILL at several points and resumed each time ends with the
 * exact table — no lost row, no duplicated row — and does not refetch finished batches.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  doneBatches,
  expectedDaily,
  finished,
  runCli,
  sleepMs,
  spawnCli,
  tableFacts,
  tempDir,
  writeDailyJob,
} from '../helpers/e2e.js';

const START = '20190101';
const END = '20231231';

/** Start a run (fresh or --resume), kill -9 it once `killAt` batches are done. Returns done count at kill. */
async function runAndKill(job: string, resume: boolean, killAt: number, progress: () => number): Promise<number> {
  const child = spawnCli(['run', job, '--quiet', ...(resume ? ['--resume'] : [])]);
  const exit = finished(child);
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  for (let i = 0; i < 3000 && !exited && progress() < killAt; i++) await sleepMs(10);
  assert.ok(!exited, 'the run was still going when it was to be killed');
  child.kill('SIGKILL');
  const r = await exit;
  assert.equal(r.signal, 'SIGKILL');
  return progress();
}

describe('kill -9 and --resume', () => {
  let emu: Emulator;
  const dir = tempDir('sluice-resume-');
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 5, symbols: 40 });
  });
  after(async () => emu.close());

  test('SQLite: killed at 10 %, 35 % and 60 % and resumed, the table is exact', async () => {
    const db = join(dir, 'resume.db');
    const codes = emu.dataset.universe.codes;
    // 40 symbols x 10 half-years = 400 batches, paced at 40 calls/s so a run lasts ten seconds. Local
    // runs commit in groups of up to 2 s, so the journal may show up to ~80 fewer batches than are done.
    const rate = 40;
    const job = writeDailyJob(dir, {
      name: 'resume',
      url: emu.url,
      token: emu.token,
      db,
      each: codes,
      rate: { calls: rate, intervalMs: 1000 },
      concurrency: 4,
    });
    const total = codes.length * 10;
    const progress = () => doneBatches(db);
    let last = 0;
    for (const [i, share] of [0.1, 0.35, 0.6].entries()) {
      const at = await runAndKill(job, i > 0, Math.floor(total * share), progress);
      assert.ok(at >= last, 'done batches never go back');
      last = at;
    }
    const r = await runCli(['run', job, '--resume', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /resuming run/);
    const report = JSON.parse(r.stdout);
    assert.equal(report.batches.done, total);
    const expected = expectedDaily(emu.dataset, START, END, codes);
    const facts = tableFacts(db, 'daily');
    assert.equal(facts.rows, expected.count);
    assert.equal(facts.keys, expected.count);
    assert.deepEqual(facts.checksum, expected);
    // Resume skipped finished work: a kill loses at most its open commit group and its in-flight
    // calls; starting over each time would cost 40 + 140 + 240 + 400 calls more.
    const calls = emu.stats().calls;
    assert.ok(calls <= total + 3 * (2 * rate + 8), `calls served ${calls} for ${total} batches`);
  });

  test('SIGINT stops a run with exit 130, stores it as interrupted, and --resume finishes it exactly', async () => {
    const db = join(dir, 'sigint.db');
    const codes = emu.dataset.universe.codes.slice(0, 20);
    const job = writeDailyJob(dir, {
      name: 'sigint',
      url: emu.url,
      token: emu.token,
      db,
      each: codes,
      rate: { calls: 60, intervalMs: 1000 },
    });
    const child = spawnCli(['run', job, '--quiet']);
    const exit = finished(child);
    for (let i = 0; i < 3000 && doneBatches(db) < 30; i++) await sleepMs(10);
    child.kill('SIGINT');
    const r = await exit;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /SIGINT: stopping/);
    const stored = await runCli(['report', 'latest', '--db', db, '--json']);
    assert.equal(JSON.parse(stored.stdout).status, 'interrupted');
    const resumed = await runCli(['run', job, '--resume', '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, START, END, codes));
  });

  test('a batch the database refuses stops the run (exit 1, batch named); once the cause is gone, --resume lands the exact table', async () => {
    const db = join(dir, 'refused.db');
    const codes = emu.dataset.universe.codes.slice(0, 12);
    const refused = codes[7];
    // The user's own rule on a table Sluice then widens: one symbol's rows are refused by a trigger.
    const pre = new Database(db);
    pre.exec('CREATE TABLE daily (ts_code TEXT NOT NULL, trade_date TEXT NOT NULL, PRIMARY KEY (ts_code, trade_date))');
    pre.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON daily WHEN NEW.ts_code = '${refused}' BEGIN SELECT RAISE(ABORT, 'refused by rule'); END`,
    );
    pre.close();
    const job = writeDailyJob(dir, {
      name: 'refused',
      url: emu.url,
      token: emu.token,
      db,
      each: codes,
      rate: { calls: 200, intervalMs: 1000 },
      concurrency: 2,
    });
    const failed = await runCli(['run', job, '--quiet']);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /refused by rule/);
    assert.match(failed.stderr, new RegExp(refused.replace('.', '\\.')));
    assert.match(failed.stderr, /--resume/);
    // Whatever the journal marks done is in the table: no done mark without its rows.
    const check = new Database(db, { readonly: true });
    const doneKeys = check.prepare("SELECT params FROM sluice_batches WHERE status = 'done'").all() as {
      params: string;
    }[];
    for (const { params } of doneKeys) {
      const p = JSON.parse(params) as { ts_code: string; start_date: string; end_date: string };
      const want = expectedDaily(emu.dataset, p.start_date, p.end_date, [p.ts_code]).count;
      const got = (
        check
          .prepare('SELECT count(*) AS n FROM daily WHERE ts_code = ? AND trade_date BETWEEN ? AND ?')
          .get(p.ts_code, p.start_date, p.end_date) as { n: number }
      ).n;
      assert.equal(got, want, `done batch ${p.ts_code} ${p.start_date}..${p.end_date} has its rows`);
    }
    check.close();
    const fix = new Database(db);
    fix.exec('DROP TRIGGER refuse');
    fix.close();
    const resumed = await runCli(['run', job, '--resume', '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, START, END, codes));
  });

  test('JSONL: killed mid-run and resumed, every row is in the file exactly once', async () => {
    const path = join(dir, 'resume.jsonl');
    const codes = emu.dataset.universe.codes.slice(0, 20);
    const job = writeDailyJob(dir, {
      name: 'resume-jsonl',
      url: emu.url,
      token: emu.token,
      db: path,
      each: codes,
      rate: { calls: 100, intervalMs: 1000 },
      sinkType: 'jsonl',
    });
    const journal = `${path}.journal.db`;
    await runAndKill(job, false, 60, () => doneBatches(journal));
    const r = await runCli(['run', job, '--resume', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const keys = new Set(
      lines.map((l) => {
        const o = JSON.parse(l);
        return `${o.ts_code}|${o.trade_date}`;
      }),
    );
    const expected = expectedDaily(emu.dataset, START, END, codes);
    assert.equal(keys.size, expected.count, 'every row present');
    assert.equal(lines.length, expected.count, 'no row twice');
  });
});
