/**
 * strategy auto (the default) against the emulator: first runs with nothing stated spend at most
 * 1.15x the lower bound of calls, a later `strategy: rows` run at most 1.03x, tables exact; an
 * interrupted auto run resumes exactly. Smaller universes than the (bench/auto.ts runs
 * those) so that each case takes seconds.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { type CallsCase, caseEmulator, runCase, tableCheck } from '../../bench/helpers/calls-cases.js';
import { parseJob } from '../../src/job/load.js';
import { runJob } from '../../src/job/run.js';
import { PAGE_SHARE } from '../../src/plan/index.js';
import { tempDir } from '../helpers/e2e.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir('sluice-auto-');
  dirs.push(d);
  return d;
}

const CASES: readonly CallsCase[] = [
  { name: 'whole-market daily 2019-2020', api: 'daily', symbols: 600, each: 0, start: '20190101', end: '20201231' },
  { name: 'daily per symbol 2010-2024', api: 'daily', symbols: 300, each: 20, start: '20100101', end: '20241231' },
  {
    name: 'fina_indicator per symbol 1995-2024',
    api: 'fina_indicator',
    symbols: 2000,
    each: 80,
    start: '19950101',
    end: '20241231',
  },
];

describe('strategy auto: calls against the lower bound', () => {
  for (const c of CASES) {
    test(`${c.name}: first run <= 1.15x, learned rows run <= 1.03x, tables exact`, async () => {
      const emu = await caseEmulator(c);
      try {
        const d = dir();
        const first = await runCase(emu, c, d);
        assert.equal(first.exitCode, 0);
        assert.ok(first.exact, 'the table equals the emulator truth');
        assert.ok(first.ratio <= 1.15, `first run: ${first.calls} calls, bound ${first.lowerBound} (${first.ratio}x)`);
        if (c.each > 0) {
          // the same job again with the default: the density learned from the first run spares the probe
          const again = await runCase(emu, c, d, {}, { full: true });
          assert.ok(again.exact);
          assert.ok(again.calls >= again.lowerBound, 'the run fetched everything again');
          assert.ok(again.calls <= first.calls && again.ratio <= 1.05, `second auto run: ${again.calls} calls`);
        }
        const learned = await runCase(emu, c, d, { strategy: 'rows' }, { full: true });
        assert.ok(learned.calls >= learned.lowerBound, 'the run fetched everything again');
        assert.equal(learned.exitCode, 0);
        assert.ok(learned.exact);
        assert.ok(learned.ratio <= 1.03, `rows run: ${learned.calls} calls, bound ${learned.lowerBound}`);
      } finally {
        await emu.close();
      }
    });
  }

  test('no paging (maxOffset 0): every window fits one page, no window is split', async () => {
    const c: CallsCase = { name: 'np', api: 'daily', symbols: 100, each: 0, start: '20200101', end: '20201231' };
    const emu = await caseEmulator(c);
    try {
      const d = dir();
      const db = join(d, 'np.db');
      const job = parseJob(
        {
          name: 'auto-no-paging',
          source: { type: 'tushare', url: emu.url, token: emu.token, api: 'daily', maxOffset: 0 },
          plan: { start: c.start, end: c.end },
          sink: { type: 'sqlite', path: db, table: 'daily', key: ['ts_code', 'trade_date'] },
        },
        {},
        'np',
      );
      const before = emu.stats().calls;
      const { exitCode, report } = await runJob(job, { progress: 'quiet', note: () => {} });
      assert.equal(exitCode, 0);
      const calls = emu.stats().calls - before;
      const conn = new Database(db, { readonly: true });
      const statuses = conn.prepare('SELECT status, rows FROM sluice_batches').all() as {
        status: string;
        rows: number;
      }[];
      conn.close();
      const rows = statuses.reduce((a, s) => a + s.rows, 0);
      assert.ok(
        statuses.every((s) => s.status === 'done' && s.rows < 6000),
        JSON.stringify(statuses),
      );
      assert.equal(calls, report.batches.total, 'one call per window');
      // windows aim at PAGE_SHARE of a page; plus the probe and a last short window
      assert.ok(calls <= Math.ceil(rows / (6000 * PAGE_SHARE)) + 2, `${calls} calls for ${rows} rows`);
    } finally {
      await emu.close();
    }
  });
});

describe('strategy auto: resume', () => {
  test('an interrupted run resumes over exactly the days no batch covers; the table is exact', async () => {
    const c: CallsCase = { name: 'resume', api: 'daily', symbols: 300, each: 12, start: '20100101', end: '20241231' };
    const emu = await caseEmulator(c);
    try {
      const d = dir();
      const db = join(d, 'resume.db');
      const codes = emu.dataset.universe.codes.slice(0, c.each);
      const job = parseJob(
        {
          name: 'auto-resume',
          source: { type: 'tushare', url: emu.url, token: emu.token, api: 'daily' },
          plan: { start: c.start, end: c.end, each: { param: 'ts_code', values: codes } },
          execution: { concurrency: 2 },
          sink: { type: 'sqlite', path: db, table: 'daily', key: ['ts_code', 'trade_date'] },
        },
        {},
        'resume',
      );
      const stop = new AbortController();
      let answers = 0;
      const before = emu.stats().calls;
      const firstRun = runJob(job, {
        progress: 'quiet',
        note: () => {},
        signal: stop.signal,
      });
      // stop after a few batches landed (watching the journal)
      const watcher = setInterval(() => {
        answers = emu.stats().calls - before;
        if (answers >= 6) stop.abort();
      }, 2);
      const first = await firstRun;
      clearInterval(watcher);
      assert.equal(first.exitCode, 130);
      const second = await runJob(job, { progress: 'quiet', note: () => {}, resume: true });
      assert.equal(second.exitCode, 0);
      assert.equal(second.report.runId, first.report.runId, 'the same run continued');
      const conn = new Database(db, { readonly: true });
      const leaves = conn
        .prepare('SELECT batch_key AS key, "window" AS w, params, status FROM sluice_batches WHERE status != \'split\'')
        .all() as { key: string; w: string; params: string; status: string }[];
      conn.close();
      assert.ok(leaves.every((l) => l.status === 'done'));
      // per symbol, the windows tile 2010-2024 exactly
      for (const code of codes) {
        const ws = leaves
          .filter((l) => (JSON.parse(l.params) as Record<string, string>).ts_code === code)
          .map((l) => JSON.parse(l.w) as { start: string; end: string })
          .sort((a, b) => a.start.localeCompare(b.start));
        assert.equal(ws[0].start, c.start);
        assert.equal(ws[ws.length - 1].end, c.end);
        for (let i = 1; i < ws.length; i++) assert.ok(ws[i].start > ws[i - 1].end, `${code}: overlap`);
      }
      assert.ok(tableCheck(emu, c, db).exact);
    } finally {
      await emu.close();
    }
  });
});
