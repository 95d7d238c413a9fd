/**
 * Calls against their lower bound and target semantics, through real runs against the emulator:
 * the bound uses the row cap the run used (the server's lower one once seen) and the rows per
 * `each` value; a run whose batches all landed exits 0 whatever the default targets say, and
 * fails on a miss only when the job sets `targets:` or `--targets` is given.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { parseJob } from '../../src/job/load.js';
import { runJob } from '../../src/job/run.js';
import { openStoreAt } from '../../src/sinks/open.js';
import { runCli, tempDir, writeDailyJob } from '../helpers/e2e.js';

const bound = (rows: readonly number[], cap: number) => rows.reduce((s, r) => s + Math.max(1, Math.ceil(r / cap)), 0);

describe('calls against the lower bound, and targets, in real runs', () => {
  let emu: Emulator;
  let capped: Emulator;
  const dir = tempDir('sluice-calls-');

  before(async () => {
    emu = await startEmulator({ port: 0, seed: 5, symbols: 12 });
    capped = await startEmulator({ port: 0, seed: 5, symbols: 12, rowCaps: { daily: 300 } });
  });
  after(async () => {
    await emu.close();
    await capped.close();
  });

  function job(e: Emulator, name: string, plan: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return parseJob(
      {
        name,
        source: { type: 'tushare', url: e.url, token: e.token, api: 'daily', rowCap: 1000, ...extra },
        plan: { start: '20230101', end: '20231231', ...plan },
        execution: { concurrency: 4, retries: 3, timeoutMs: 3000 },
        sink: { path: join(dir, `${name}.db`), table: 'daily' },
      },
      {},
      'test',
    );
  }

  test("each: the bound sums per symbol with the cap the server showed (300, under the job's 1000)", async () => {
    const codes = capped.dataset.universe.codes.slice(0, 5);
    const plan = {
      start: '20190101',
      end: '20231231',
      strategy: 'days:600',
      each: { param: 'ts_code', values: codes },
    };
    const { report, exitCode } = await runJob(job(capped, 'capped', plan), { progress: 'quiet', note: () => {} });
    assert.equal(exitCode, 0, report.error);
    const rows = codes.map((ts_code) =>
      capped.dataset.count('daily', { ts_code, start_date: '20190101', end_date: '20231231' }),
    );
    assert.ok(rows.filter((n) => n > 600).length >= 3, `symbols need several pages (${rows.join(', ')})`);
    assert.equal(report.analysis.rowCap, 300);
    assert.equal(report.analysis.eachValues, 5);
    assert.equal(report.calls.lowerBound, bound(rows, 300));
    assert.equal(report.calls.spent, report.calls.total - report.calls.rateLimited);
    assert.equal(
      report.calls.overLowerBound,
      Math.round((report.calls.spent / report.calls.lowerBound!) * 1000) / 1000,
    );
    // the bound is stored with the run and reads back
    const store = openStoreAt(join(dir, 'capped.db'));
    await store.open();
    try {
      const stored = await store.getRun(report.runId);
      assert.equal(stored?.report?.calls.lowerBound, report.calls.lowerBound);
    } finally {
      await store.close();
    }
  });

  test('paging off (maxOffset 0): the same bound; monthly windows of the whole market are far above it and say why', async () => {
    const { report, exitCode } = await runJob(job(emu, 'nopaging', { strategy: 'month' }, { maxOffset: 0 }), {
      progress: 'quiet',
      note: () => {},
    });
    assert.equal(exitCode, 0, report.error);
    const rows = emu.dataset.count('daily', { start_date: '20230101', end_date: '20231231' });
    assert.equal(report.calls.lowerBound, bound([rows], 1000));
    assert.equal(report.analysis.eachValues, null);
    assert.ok(report.calls.spent >= 12);
    assert.ok(
      rows < 6000 && report.calls.overLowerBound! > 1.2,
      `12 months of ${rows} rows against a bound of ${report.calls.lowerBound}`,
    );
    const advice = report.recommendations.find((s) => /could have fetched its rows/.test(s));
    assert.match(advice ?? '', /full\): windows were smaller than the row cap allows/);
  });

  test('a complete run that misses a default target exits 0; targets: in the job or given fail it', async () => {
    // one window per day: optimization_rate 0 % against the default 70 %
    const plan = { start: '20230102', end: '20230113', strategy: 'day' };
    const free = await runJob(job(emu, 'free', plan), { progress: 'quiet', note: () => {} });
    assert.equal(free.report.status, 'succeeded');
    assert.equal(free.report.targets.met, false);
    assert.equal(free.report.targets.enforced, false);
    assert.equal(free.report.targets.checks.find((c) => c.metric === 'optimization_rate')?.met, false);
    assert.equal(free.exitCode, 0);

    const stated = parseJob(
      { ...JSON.parse(JSON.stringify(job(emu, 'stated', plan))), targets: { error_rate: 0.5 } },
      {},
      'test',
    );
    const fromJob = await runJob(stated, { progress: 'quiet', note: () => {} });
    assert.equal(fromJob.report.status, 'succeeded');
    assert.equal(fromJob.report.targets.enforced, true);
    assert.equal(fromJob.exitCode, 1);

    const given = await runJob(job(emu, 'given', plan), {
      progress: 'quiet',
      note: () => {},
      targets: { error_rate: 0.5 },
    });
    assert.equal(given.exitCode, 1);
    const lenient = await runJob(job(emu, 'lenient', plan), {
      progress: 'quiet',
      note: () => {},
      targets: { optimization_rate: 0, throughput: 0, memory_usage_mb: 1e6, batch_generation_time: 1e6, quota_use: 0 },
    });
    assert.equal(lenient.report.targets.met, true);
    assert.equal(lenient.exitCode, 0);
  });

  test('a job names only known targets', () => {
    assert.throws(
      () => parseJob({ ...JSON.parse(JSON.stringify(job(emu, 'bad', {}))), targets: { speed: 1 } }, {}, 'test'),
      /speed/,
    );
  });

  test('sluice run --targets FILE fails a complete run on a miss, and says which; without it exit 0', async () => {
    const db = join(dir, 'cli.db');
    const file = writeDailyJob(dir, {
      name: 'cli-targets',
      url: emu.url,
      token: emu.token,
      db,
      start: '20230102',
      end: '20230113',
      strategy: 'day',
    });
    const plain = await runCli(['run', file, '--quiet']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Targets: MISSED \(reported only/);
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, 'optimization_rate: 50\n');
    const strict = await runCli(['run', file, '--quiet', '--full', '--targets', targets]);
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stderr, /targets missed \(exit 1\): optimization_rate 0 against 50 %/);
    const bad = await runCli(['run', file, '--quiet', '--targets', join(dir, 'missing.yaml')]);
    assert.equal(bad.code, 2);
    const check = await runCli(['targets', 'latest', '--db', db]);
    assert.equal(check.code, 1, check.stderr);
  });
});
