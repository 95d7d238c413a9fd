import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportCommand } from '../../src/cli/commands/report.js';
import { targetsCommand } from '../../src/cli/commands/targets.js';
import { openReadStore, recheckTargets, type CommandDeps } from '../../src/report/query.js';
import type { Store } from '../../src/core/store.js';
import { SluiceError } from '../../src/core/errors.js';
import { sampleReport } from '../helpers/report-fixtures.js';
import { fakeStore } from '../helpers/fake-store.js';

/** Collects what a command prints, through its injected output functions. */
function io(store: Store) {
  const out = { stdout: '', stderr: '' };
  const deps: CommandDeps = {
    open: async () => store,
    printJson: (v) =>
      (out.stdout += `${JSON.stringify(v)}
`),
    printLine: (t) =>
      (out.stderr += `${t}
`),
  };
  return { out, deps };
}

async function exec(store: Store, fn: (deps: CommandDeps) => Promise<number>) {
  const { out, deps } = io(store);
  const code = await fn(deps);
  return { code, ...out };
}

const good = sampleReport({
  runId: 'r1',
  startedAt: '2026-11-20T10:00:00.000Z',
  finishedAt: '2026-11-20T10:00:10.000Z',
});
const bad = sampleReport(
  { runId: 'r2', startedAt: '2026-11-21T10:00:00.000Z', finishedAt: '2026-11-21T10:00:10.000Z', status: 'failed' },
  { failEvery: 4 },
);
const other = sampleReport({
  runId: 'o1',
  job: 'other',
  startedAt: '2026-11-19T10:00:00.000Z',
  finishedAt: '2026-11-19T10:00:10.000Z',
});

describe('report and targets commands (fake store)', () => {
  test('report RUN --compare OTHER: a table on stderr, rows in the JSON, both runs in the HTML', async () => {
    const store = fakeStore([good, bad, other]);
    const text = await exec(store, (d) => reportCommand('r2', { db: 'x', compare: 'r1' }, d));
    assert.equal(text.code, 0);
    assert.match(text.stderr, /Compared with r1:/);
    assert.match(text.stderr, /calls\s+\d+\s+\d+/);
    const json = await exec(store, (d) => reportCommand('r2', { db: 'x', compare: 'r1', json: true }, d));
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.runId, 'r2');
    assert.equal(doc.compare.runId, 'r1');
    const calls = doc.compare.rows.find((r: { figure: string }) => r.figure === 'calls');
    assert.deepEqual([calls.run, calls.other], [bad.calls.total, good.calls.total]);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-compare-'));
    const html = join(dir, 'c.html');
    await exec(store, (d) => reportCommand('r2', { db: 'x', compare: 'r1', html }, d));
    const page = readFileSync(html, 'utf8');
    assert.match(page, /Compared with r1/);
    assert.match(page, /this run \(r2\)/);
    // a run to compare with that does not exist is exit 2, nothing written
    await assert.rejects(
      reportCommand('r2', { db: 'x', compare: 'nope', html: join(dir, 'no.html') }, io(store).deps),
      (e: unknown) => e instanceof SluiceError && e.exitCode === 2,
    );
    assert.equal(existsSync(join(dir, 'no.html')), false);
  });

  test('report latest --json prints exactly the newest report on stdout', async () => {
    const store = fakeStore([good, bad, other]);
    const out = await exec(store, (d) => reportCommand('latest', { db: 'x', json: true }, d));
    assert.equal(out.code, 0);
    const doc = JSON.parse(out.stdout);
    assert.equal(doc.runId, 'r2');
    assert.equal(out.stderr, '');
    assert.equal(store.closed, 1);
  });

  test('report RUN prints a readable summary with ratings, targets and recommendations on stderr', async () => {
    const out = await exec(fakeStore([good, bad]), (d) => reportCommand('r1', { db: 'x' }, d));
    assert.equal(out.code, 0);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /Run r1 {2}job daily-prices {2}succeeded/);
    assert.match(out.stderr, /Ratings:/);
    assert.match(out.stderr, /Targets: /);
    assert.match(out.stderr, /Recommendations:/);
  });

  test('--runs N adds the trend of that job only, oldest first; --html writes the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cmd-'));
    const html = join(dir, 'r.html');
    const out = await exec(fakeStore([good, bad, other]), (d) =>
      reportCommand('latest', { db: 'x', json: true, runs: '5', html }, d),
    );
    assert.equal(out.code, 0);
    const doc = JSON.parse(out.stdout);
    assert.deepEqual(
      doc.trend.map((t: { runId: string }) => t.runId),
      ['r1', 'r2'],
    );
    assert.ok(readFileSync(html, 'utf8').startsWith('<!doctype html>'));
  });

  test('a missing run or a run without a report is a not-found error (exit 2)', async () => {
    await assert.rejects(
      reportCommand('nope', { db: 'x' }, io(fakeStore([good])).deps),
      (e: unknown) => e instanceof SluiceError && e.exitCode === 2 && /no run "nope"/.test(e.message),
    );
    await assert.rejects(reportCommand('latest', { db: 'x' }, io(fakeStore([])).deps), /no runs/);
    const running = {
      id: 'z',
      job: 'j',
      status: 'running' as const,
      startedAt: '2026-12-01T00:00:00Z',
      finishedAt: null,
      report: null,
    };
    await assert.rejects(
      reportCommand('z', { db: 'x' }, io(fakeStore([], [running])).deps),
      /no report yet \(status running\)/,
    );
    await assert.rejects(reportCommand('latest', { db: 'x', runs: '0' }, io(fakeStore([good])).deps), /--runs/);
  });

  test('targets exits 1 when a measured target is missed, 0 otherwise; overrides come from a file', async () => {
    assert.equal((await exec(fakeStore([good, bad]), (d) => targetsCommand('r2', { db: 'x' }, d))).code, 1);
    assert.equal((await exec(fakeStore([good, bad]), (d) => targetsCommand('r1', { db: 'x' }, d))).code, 0);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cmd-'));
    writeFileSync(join(dir, 't.yaml'), 'error_rate: 0.5\n');
    const out = await exec(fakeStore([bad]), (d) => targetsCommand('r2', { db: 'x', targets: join(dir, 't.yaml') }, d));
    assert.equal(out.code, 0);
    assert.match(out.stderr, /error_rate\s+target 0\.5\s+actual 0\.25\s+ok/);
  });

  test('targets --json lists each check; not measured stays null', async () => {
    const none = sampleReport({ runId: 'n', batches: { total: 0, done: 0, failed: 0 } }, { batches: 0 });
    const out = await exec(fakeStore([none]), (d) => targetsCommand('n', { db: 'x', json: true }, d));
    assert.equal(out.code, 0);
    const doc = JSON.parse(out.stdout);
    assert.equal(doc.checks.length, 6);
    assert.deepEqual(
      doc.checks.find((c: { metric: string }) => c.metric === 'error_rate'),
      { metric: 'error_rate', target: 0.02, unit: 'fraction', actual: null, met: null },
    );
  });

  test('recheckTargets keeps stored actuals and applies new targets', () => {
    const r = recheckTargets(good, { throughput: 1e9 });
    assert.equal(r.met, false);
    assert.equal(
      r.checks.find((c) => c.metric === 'throughput')!.actual,
      good.targets.checks.find((c) => c.metric === 'throughput')!.actual,
    );
  });

  test('openReadStore: a missing database file is exit 2 (not-found), nothing created', async () => {
    const path = join(tmpdir(), 'definitely-missing-sluice.db');
    assert.equal(existsSync(path), false);
    await assert.rejects(
      openReadStore(path),
      (e: unknown) => e instanceof SluiceError && e.exitCode === 2 && /no Sluice database at/.test(e.message),
    );
  });
});
