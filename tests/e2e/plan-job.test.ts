/**
 * `sluice plan JOB --json` prints exactly the plan `sluice run JOB` executes: the run's journal
 * holds the plan's batches (keys, params, windows, in order), for several strategies, with `each`,
 * with a learned density, and with `--db`. Planning a job writes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from '../../src/core/types.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { openStoreAt } from '../../src/sinks/index.js';
import { type JobOptions, runCli, tempDir, writeDailyJob } from '../helpers/e2e.js';

interface PlanOut {
  strategy: string;
  windows: { start: string; end: string }[];
  batches: Batch[];
  stats: { batchCount: number; estimatedRows: number | null };
}

async function planOf(job: string, ...flags: string[]): Promise<PlanOut> {
  const r = await runCli(['plan', job, '--json', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PlanOut;
}

/** Batches the newest run of `db` recorded when it was created (no split happened in these runs). */
async function journalBatches(db: string): Promise<{ runs: number; batches: Batch[]; statuses: string[] }> {
  const store = openStoreAt(db);
  await store.open();
  try {
    const runs = await store.listRuns(undefined, 100);
    const records = await store.batches(runs[0].id);
    return { runs: runs.length, batches: records.map((r) => r.batch), statuses: records.map((r) => r.status) };
  } finally {
    await store.close();
  }
}

/** `plan JOB` and then `run JOB`: the run's journal holds exactly the plan's batches. */
async function planThenRun(job: string, db: string, flags: string[] = []): Promise<PlanOut> {
  const plan = await planOf(job, ...flags);
  assert.equal(plan.batches.length, plan.stats.batchCount);
  const r = await runCli(['run', job, '--json', '--quiet', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const journal = await journalBatches(db);
  assert.ok(
    journal.statuses.every((s) => s === 'done'),
    'every batch ran once (no split)',
  );
  assert.deepEqual(journal.batches, plan.batches, 'the run executed the plan JOB printed');
  return plan;
}

describe('sluice plan JOB plans what sluice run JOB runs', () => {
  let emulator: Emulator;
  const dir = tempDir('sluice-plan-job-');
  let codes: string[] = [];

  before(async () => {
    emulator = await startEmulator({ port: 0, seed: 7, symbols: 6 });
    codes = emulator.dataset.universe.codes.slice(0, 3);
  });
  after(async () => {
    await emulator.close();
  });

  const jobFile = (name: string, o: Partial<JobOptions>): { job: string; db: string } => {
    const db = join(dir, `${name}.db`);
    const job = writeDailyJob(dir, {
      name,
      url: emulator.url,
      token: emulator.token,
      db,
      start: '20220101',
      end: '20231231',
      ...o,
    });
    return { job, db };
  };

  test('smart with each: windows x values, same keys and params; planning writes nothing', async () => {
    const { job, db } = jobFile('plan-smart-each', { each: codes });
    await planOf(job);
    assert.equal(existsSync(db), false, 'plan JOB created no database');
    const plan = await planThenRun(job, db);
    assert.equal(plan.batches.length, plan.windows.length * codes.length);
  });

  test('rows with rowsPerDay pages to the offset limit like the run (not one call per window)', async () => {
    const { job, db } = jobFile('plan-rows', {
      strategy: 'rows',
      extra: { plan: { start: '20220101', end: '20231231', strategy: 'rows', rowsPerDay: 5000 } },
    });
    const plan = await planThenRun(job, db);
    // 5,000 rows a day under the 6,000-row cap and Tushare's 100,000 offset: ~20 trading days a window.
    assert.ok(plan.windows.length > 20 && plan.windows.length < 30, `${plan.windows.length} windows`);
  });

  test('days:N with each from a file, and --db', async () => {
    const values = join(dir, 'codes.txt');
    writeFileSync(values, `${codes.join('\n')}\n`);
    const { job } = jobFile('plan-days', {
      extra: {
        plan: {
          start: '2023-01-01',
          end: '2023-06-30',
          strategy: 'days:45',
          each: { param: 'ts_code', valuesFrom: values },
        },
      },
    });
    const other = join(dir, 'other.db');
    const plan = await planThenRun(job, other, ['--db', other]);
    assert.equal(plan.batches.length, 5 * codes.length);
    assert.equal(plan.batches[0].params.start_date, '2023-01-01');
  });

  test('rows with a learned density: plan JOB reads the earlier runs as the run does, and writes nothing', async () => {
    const { job, db } = jobFile('plan-learned', { strategy: 'month' });
    const first = await runCli(['run', job, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    // Now the same job with `rows` and no density: it learns one from the first run. The first run
    // covered the range, so an incremental run would fetch nothing: --full plans it all again.
    const learned = writeDailyJob(dir, {
      name: 'plan-learned',
      url: emulator.url,
      token: emulator.token,
      db,
      start: '20220101',
      end: '20231231',
      strategy: 'rows',
      rowCap: 100,
    });
    const before = await journalBatches(db);
    const incremental = await planOf(learned);
    assert.equal(incremental.batches.length, 0, 'without --full: every day is covered');
    const plan = await planOf(learned, '--full');
    assert.equal((await journalBatches(db)).runs, before.runs, 'plan JOB added no run');
    // `rows` without rowsPerDay or a density file plans only with a density learned from the journal.
    assert.ok(plan.stats.estimatedRows !== null && plan.stats.estimatedRows > 0, 'a learned density');
    const r = await runCli(['run', learned, '--json', '--quiet', '--full']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /row density learned from 24 batches/);
    const journal = await journalBatches(db);
    assert.equal(journal.runs, before.runs + 1);
    assert.deepEqual(journal.batches, plan.batches);
  });

  test('after a run, plan JOB shows what a run would fetch and skip (text and --json); the run skips it', async () => {
    const { job, db } = jobFile('plan-covered', {
      strategy: 'month',
      each: codes,
      extra: {
        plan: {
          start: '20230101',
          end: '20230630',
          strategy: 'month',
          lookback: 3,
          each: { param: 'ts_code', values: codes },
        },
      },
    });
    const first = await runCli(['run', job, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    // the job moves its end on a month
    const moved = writeDailyJob(dir, {
      name: 'plan-covered',
      url: emulator.url,
      token: emulator.token,
      db,
      extra: {
        plan: {
          start: '20230101',
          end: '20230731',
          strategy: 'month',
          lookback: 3,
          each: { param: 'ts_code', values: codes },
        },
      },
    });
    const r = await runCli(['plan', moved, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as PlanOut & { coverage: Record<string, unknown> };
    // 20230628..20230630 looked back, July new: per value, two windows
    assert.deepEqual(
      out.batches.filter((b) => b.params.ts_code === codes[0]).map((b) => b.window),
      [
        { start: '20230628', end: '20230630' },
        { start: '20230701', end: '20230731' },
      ],
    );
    assert.deepEqual(out.coverage, {
      fetchedDays: (3 + 21) * codes.length,
      skippedDays: (130 - 3) * codes.length, // 130 weekdays in 2023H1
      lookbackDays: 3 * codes.length,
      skippedBatches: 6 * codes.length,
      fromRuns: 1,
      full: false,
    });
    const text = await runCli(['plan', moved]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /skipped +381 trading days already landed \(18 done batches of 1 earlier run\(s\)\)/);
    assert.match(text.stdout, /fetched +72 trading days, 9 of them looked back again/);
    const full = JSON.parse((await runCli(['plan', moved, '--json', '--full'])).stdout) as PlanOut;
    assert.equal(full.batches.length, 7 * codes.length);
    const plan = await planThenRun(moved, db);
    assert.equal(plan.batches.length, 2 * codes.length);
  });

  test('a job file with range flags is a usage error (exit 2, one line)', async () => {
    const { job } = jobFile('plan-flags', {});
    const r = await runCli(['plan', job, '--start', '20220101', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trim(), /^sluice: --start: not with a job file/);
    for (const [args, text] of [
      [['plan', '--start', '20240101', '--end', '20240131', '--full'], /^sluice: --full: only with a job file$/],
      [['run', job, '--full', '--resume'], /^sluice: --full and --resume: give one of them/],
    ] as const) {
      const bad = await runCli(args);
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
      assert.match(bad.stderr.trim(), text);
    }
  });
});
