/**
 * Shared set-up of the worker end-to-end tests: one emulator with a sliding-window quota, job files
 * whose token comes from the environment, `sluice worker` processes, cleanup of queues.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { QUEUE_PREFIX, QUEUE_REGISTRY_KEY, queueNameFor } from '../../src/distributed/wire.js';
import { expectedDaily, spawnCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { REDIS_URL } from './redis-check.js';

export const START = '20220101';
export const END = '20231231';
export const QUOTA = { calls: 12, intervalMs: 1000 };

export interface WorkersFixture {
  readonly emu: () => Emulator;
  /** A job into its own SQLite file, or into `sink` when given (then `db` is unused). */
  /** `overrides` replaces keys of the job file (e.g. `url`, `extra`). */
  job(
    label: string,
    sink?: Record<string, unknown>,
    overrides?: Partial<Parameters<typeof writeDailyJob>[1]>,
  ): { path: string; db: string; name: string };
  worker(name: string, token?: string): ChildProcess;
  stop(workers: ChildProcess[]): Promise<void>;
  assertExact(db: string): void;
}

/** Call inside a describe(): registers before/after hooks and returns the helpers. */
export function workersFixture(): WorkersFixture {
  let emu: Emulator;
  const dir = tempDir('sluice-workers-');
  const jobNames: string[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    // A sliding-window quota on the server; rowCap 500 forces several pages per batch.
    emu = await startEmulator({ port: 0, seed: 7, symbols: 12, rowCap: 500, rate: { ...QUOTA, window: 'sliding' } });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await emu?.close();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      for (const name of jobNames) {
        const queue = new Queue(queueNameFor(name), {
          connection: { host: '127.0.0.1', port: 6379 },
          prefix: QUEUE_PREFIX,
        });
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
        const left = await redis.keys(`${QUEUE_PREFIX}:${queueNameFor(name)}:*`);
        if (left.length > 0) await redis.del(...left);
        await redis.zrem(QUEUE_REGISTRY_KEY, queueNameFor(name));
      }
    } catch {
      // no Redis: nothing to clean
    } finally {
      redis.disconnect();
    }
  });

  /** A job (token from the environment, never in the file) into its own SQLite file. */
  function job(
    label: string,
    sink?: Record<string, unknown>,
    overrides: Partial<Parameters<typeof writeDailyJob>[1]> = {},
  ): { path: string; db: string; name: string } {
    const name = `workers-${label}-${randomUUID().slice(0, 8)}`;
    jobNames.push(name);
    const db = join(dir, `${name}.db`);
    const path = writeDailyJob(dir, {
      name,
      url: emu.url,
      token: '${TUSHARE_TOKEN}',
      db,
      start: START,
      end: END,
      strategy: 'quarter',
      rowCap: 500,
      each: emu.dataset.universe.codes.slice(0, 6),
      rate: QUOTA,
      concurrency: 2,
      timeoutMs: 5000,
      ...(sink ? { extra: { sink } } : {}),
      ...overrides,
    });
    return { path, db, name };
  }

  function worker(name: string, token = emu.token): ChildProcess {
    const child = spawnCli(
      [
        'worker',
        '--queue',
        REDIS_URL,
        '--job',
        name,
        '--concurrency',
        '2',
        '--lock-ms',
        '3000',
        '--stalled-interval-ms',
        '1000',
      ],
      { TUSHARE_TOKEN: token },
    );
    child.stderr?.resume();
    child.stdout?.resume();
    children.push(child);
    return child;
  }

  async function stop(workers: ChildProcess[]): Promise<void> {
    await Promise.all(
      workers.map((w) => {
        if (w.exitCode !== null || w.signalCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => w.once('exit', resolve));
        w.kill('SIGTERM');
        return exited;
      }),
    );
  }

  function assertExact(db: string): void {
    const expected = expectedDaily(emu.dataset, START, END, emu.dataset.universe.codes.slice(0, 6));
    const facts = tableFacts(db, 'daily');
    assert.ok(expected.count > 2000, `enough rows to page (${expected.count})`);
    assert.equal(facts.rows, expected.count);
    assert.equal(facts.keys, expected.count);
    assert.deepEqual(facts.checksum, expected);
  }

  return { emu: () => emu, job, worker, stop, assertExact };
}
