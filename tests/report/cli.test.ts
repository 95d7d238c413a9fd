import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '../../src/sinks/index.js';
import type { RunReport } from '../../src/core/report.js';
import { sampleReport } from '../helpers/report-fixtures.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function sluice(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function seed(db: string, reports: RunReport[]): Promise<void> {
  const store = createSqliteStore({ path: db });
  await store.open();
  try {
    for (const r of reports) {
      await store.createRun({ id: r.runId, job: r.job, startedAt: r.startedAt }, [
        { key: 'b0', params: { start_date: '20240101' } },
      ]);
      await store.finishRun(r.runId, r.status === 'succeeded' ? 'succeeded' : 'failed', r);
    }
  } finally {
    await store.close();
  }
}

describe('sluice report / sluice targets against a SQLite journal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-report-cli-'));
  const db = join(dir, 'sluice.db');
  const good = sampleReport({
    runId: 'run-a',
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:10.000Z',
  });
  const bad = sampleReport(
    { runId: 'run-b', status: 'failed', startedAt: '2026-11-21T10:00:00.000Z', finishedAt: '2026-11-21T10:00:12.000Z' },
    { failEvery: 4 },
  );

  before(async () => seed(db, [good, bad]));

  test('report latest --json prints the newest stored report, one JSON document', () => {
    const r = sluice('report', 'latest', '--db', db, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.runId, 'run-b');
    assert.equal(doc.calls.errorRate, bad.calls.errorRate);
    assert.deepEqual(Object.keys(doc.ratings).sort(), [
      'callRate',
      'errorRate',
      'generationTime',
      'memory',
      'optimizationRate',
    ]);
  });

  test('report RUN prints a summary on stderr; --runs 5 adds the trend; --html writes one file', () => {
    const html = join(dir, 'out.html');
    const r = sluice('report', 'run-a', '--db', db, '--runs', '5', '--html', html);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Run run-a {2}job daily-prices/);
    assert.match(r.stderr, /Last 2 run\(s\) of daily-prices/);
    assert.match(r.stderr, /run-b .*\(\+2\.0\)/); // wall 12 s vs 10 s
    assert.ok(readFileSync(html, 'utf8').includes('<section class="chart"'));
  });

  test('targets exits 1 on a measured miss and 0 when met; --targets overrides; --json lists checks', () => {
    const missed = sluice('targets', 'run-b', '--db', db);
    assert.equal(missed.code, 1, missed.stderr);
    assert.match(missed.stderr, /error_rate .* MISSED/);
    const ok = sluice('targets', 'run-a', '--db', db, '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).checks.length, 6);
    const file = join(dir, 'targets.yaml');
    writeFileSync(file, 'error_rate: 0.9\n');
    const over = sluice('targets', 'run-b', '--db', db, '--targets', file);
    assert.equal(over.code, 0, over.stderr);
  });

  test('usage and not-found errors: exit 2, one line, nothing created', () => {
    const missing = join(dir, 'missing.db');
    const a = sluice('report', '--db', missing);
    assert.equal(a.code, 2, a.stderr);
    assert.equal(a.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(missing), false);
    const b = sluice('report', 'nope', '--db', db);
    assert.equal(b.code, 2, b.stderr);
    assert.match(b.stderr, /no run "nope"/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'speed: 3\n');
    const c = sluice('targets', '--db', db, '--targets', bad);
    assert.equal(c.code, 2, c.stderr);
    assert.match(c.stderr, /unknown target "speed"/);
    const d = sluice('report', '--db', db, '--runs', 'x');
    assert.equal(d.code, 2, d.stderr);
  });
});
