/** The commands: `sluice ui` serves a journal's runs until stopped; `run --ui` refuses bad flags before anything runs. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/sinks/index.js';
import { finished, runCli, spawnCli, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { sampleReport } from '../helpers/report-fixtures.js';

describe('sluice ui', () => {
  test('prints its loopback address, serves the stored runs and a report, stops on SIGTERM', async () => {
    const dir = tempDir('sluice-ui-cli-');
    const db = join(dir, 'runs.db');
    const store = createSqliteStore({ path: db });
    await store.open();
    const r = sampleReport({ runId: 'run-x', job: 'prices' });
    await store.createRun({ id: r.runId, job: r.job, startedAt: r.startedAt }, [{ key: 'b0', params: {} }]);
    await store.finishRun(r.runId, 'succeeded', r);
    await store.close();

    const child = spawnCli(['ui', '--db', db, '--port', '0']);
    const exit = finished(child);
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /stored runs at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(err)));
    });
    const list = await (await fetch(url)).text();
    assert.match(list, /<h2>prices<\/h2>/);
    assert.match(list, /href="\/run\/run-x"/);
    const page = await fetch(`${url}run/run-x`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Sluice run run-x/);
    child.kill('SIGTERM');
    const done = await exit;
    assert.equal(done.code, 0, done.stderr);
  });

  test('a database that does not exist is exit 2 and is not created', async () => {
    const db = join(tempDir('sluice-ui-cli-'), 'missing.db');
    const r = await runCli(['ui', '--db', db, '--port', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(existsSync(db), false);
  });
});

describe('sluice run --ui flags', () => {
  test('a bad port or --ui-host without --ui is exit 2 with one line, nothing written', async () => {
    const dir = tempDir('sluice-ui-flags-');
    const db = join(dir, 'x.db');
    const job = writeDailyJob(dir, { url: 'http://127.0.0.1:9', token: 't', db });
    for (const args of [
      ['--ui', 'abc'],
      ['--ui', '70000'],
      ['--ui-host', '0.0.0.0'],
    ]) {
      const r = await runCli(['run', job, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /--ui/);
      assert.equal(existsSync(db), false);
    }
  });
});
