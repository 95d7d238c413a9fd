/**
 * The token is searched for in everything a run printed and stored: stdout, stderr, the SQLite
 * file (data, journal, report), the HTML report and `sluice report --json`. Zero hits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli, tempDir, writeDailyJob } from '../helpers/e2e.js';

describe('secrets never leave the process', () => {
  const token = 'SECRET-tok-4c1f09ab77';
  let emu: Emulator;
  const dir = tempDir('sluice-secret-');
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 9, symbols: 10, token, faults: 'all:0.05' });
  });
  after(async () => emu.close());

  test('a run with faults leaves no trace of the token anywhere', async () => {
    const db = join(dir, 'secret.db');
    const html = join(dir, 'report.html');
    const job = writeDailyJob(dir, {
      name: 'secret',
      url: emu.url,
      token: '${SLUICE_TEST_TOKEN}',
      db,
      each: emu.dataset.universe.codes,
      start: '20230101',
      end: '20231231',
      timeoutMs: 500,
    });
    const env = { SLUICE_TEST_TOKEN: token };
    const outputs: string[] = [];
    const run = await runCli(['run', job, '--json', '--html', html], env);
    assert.equal(run.code, 0, run.stderr);
    outputs.push(run.stdout, run.stderr, readFileSync(html, 'utf8'));
    const report = await runCli(['report', 'latest', '--db', db, '--json']);
    const targets = await runCli(['targets', 'latest', '--db', db]);
    outputs.push(report.stdout, report.stderr, targets.stdout, targets.stderr);
    for (const f of readdirSync(dir)) outputs.push(readFileSync(join(dir, f)).toString('latin1'));
    const hits = outputs.filter((o) => o.includes(token)).length;
    assert.equal(hits, 0);
    assert.ok(
      outputs.some((o) => o.includes('"runId"')),
      'the outputs were really collected',
    );
  });

  test('a bad token in the environment is not echoed in the fatal message', async () => {
    const wrong = 'SECRET-wrong-99f0e1d2';
    const job = writeDailyJob(dir, {
      name: 'secret-bad',
      url: emu.url,
      token: '${SLUICE_TEST_TOKEN}',
      db: join(dir, 'bad.db'),
      start: '20230101',
      end: '20230131',
    });
    const r = await runCli(['run', job], { SLUICE_TEST_TOKEN: wrong });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.length > 0);
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
  });
});
