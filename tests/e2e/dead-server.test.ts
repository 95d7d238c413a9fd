/**
 * A dead or failing server is named as it happens (stderr: once per kind, then counts) and in the
 * report (the most frequent errors per API); the circuit breaker stops the run instead of burning
 * retries on every batch, leaves the unfinished batches pending, and `--resume` after the server
 * is back lands the exact table.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { expectedDaily, runCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';

const START = '20200101';
const END = '20211231';
const TOKEN = 'sluice-demo-token';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function answer502(port: number): Promise<Server> {
  const s = createServer((_req, res) =>
    res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>'),
  );
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return s;
}

const closeServer = (s: Server) =>
  new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

describe('a dead or failing server', () => {
  const dir = tempDir('sluice-dead-');
  const emulators: Emulator[] = [];
  after(async () => {
    for (const e of emulators) await e.close();
  });

  function job(name: string, port: number, codes: readonly string[]): { path: string; db: string } {
    const db = join(dir, `${name}.db`);
    const path = writeDailyJob(dir, {
      name,
      url: `http://127.0.0.1:${port}`,
      token: TOKEN,
      db,
      start: START,
      end: END,
      strategy: 'year',
      each: codes,
      extra: {
        execution: {
          concurrency: 2,
          retries: 100,
          timeoutMs: 3000,
          backoff: { baseMs: 10, maxMs: 50 },
          breaker: { afterMs: 1000, afterCalls: 10 },
        },
      },
    });
    return { path, db };
  }

  /** The run stops by the breaker: exit 1, the cause named once, no batch failed, the report names it. */
  async function stoppedRun(path: string, db: string, cause: RegExp): Promise<void> {
    const r = await runCli(['run', path, '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /circuit breaker stopped the run/);
    assert.match(r.stderr, cause);
    assert.equal(
      r.stderr.match(/a call failed:/g)?.length,
      1,
      'the first failure of its kind, once: not a line per call',
    );
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'failed');
    assert.equal(report.batches.failed, 0, 'batches in flight are left pending, not failed');
    assert.equal(report.batches.done, 0);
    assert.match(report.error, cause);
    assert.ok(report.calls.total < 200, `stopped early: ${report.calls.total} calls`);
    // the stored report names the most frequent errors per API, with counts and one example
    const stored = await runCli(['report', 'latest', '--db', db, '--json']);
    const errors = JSON.parse(stored.stdout).errors;
    assert.equal(errors[0].api, 'daily');
    assert.ok(errors[0].failedCalls >= 10, "at least the breaker's afterCalls");
    assert.match(errors[0].top[0].example, cause);
    assert.equal(errors[0].top[0].count, errors[0].failedCalls, 'one kind of error');
    const text = await runCli(['report', 'latest', '--db', db]);
    assert.match(text.stderr, /Errors \(daily\): \d+ failed calls/);
    const conn = new Database(db, { readonly: true });
    const statuses = conn.prepare('SELECT DISTINCT status FROM sluice_batches').all() as { status: string }[];
    conn.close();
    assert.ok(
      statuses.every((s) => s.status === 'pending' || s.status === 'running'),
      JSON.stringify(statuses),
    );
  }

  async function resumeExact(path: string, db: string, port: number, codes: readonly string[]): Promise<void> {
    const emu = await startEmulator({ port, seed: 3, symbols: 4 });
    emulators.push(emu);
    const r = await runCli(['run', path, '--resume', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, START, END, codes));
  }

  test('nothing listens: the breaker stops the run naming ECONNREFUSED; --resume after is exact', async () => {
    const port = await freePort();
    const codes = (await startEmulator({ port: 0, seed: 3, symbols: 4 }).then(async (e) => {
      const c = e.dataset.universe.codes.slice(0, 4);
      await e.close();
      return c;
    })) as string[];
    const { path, db } = job('dead', port, codes);
    await stoppedRun(path, db, /ECONNREFUSED/);
    await resumeExact(path, db, port, codes);
  });

  test('the server answers 502: the breaker stops the run naming HTTP 502; --resume after is exact', async () => {
    const port = await freePort();
    const probe = await startEmulator({ port: 0, seed: 3, symbols: 4 });
    const codes = probe.dataset.universe.codes.slice(0, 4);
    await probe.close();
    const { path, db } = job('bad-gateway', port, codes);
    const server = await answer502(port);
    try {
      await stoppedRun(path, db, /HTTP 502/);
    } finally {
      await closeServer(server);
    }
    await resumeExact(path, db, port, codes);
  });
});
