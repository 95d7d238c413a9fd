import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { ACQUIRE_LUA } from '../../src/distributed/pacer-scripts.js';
import { createRedisPacer, type RedisPacer, type RedisPacerOptions } from '../../src/distributed/redis-pacer.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { maxInWindow } from './window-check.js';

const run = promisify(execFile);
const prefixes: string[] = [];
const pacers: RedisPacer[] = [];

function prefix(): string {
  const p = `sluice-test:${randomUUID()}`;
  prefixes.push(p);
  return p;
}

function pacer(options: Omit<RedisPacerOptions, 'connection'>): RedisPacer {
  const p = createRedisPacer({ connection: REDIS_URL, ...options });
  pacers.push(p);
  return p;
}

async function redisTime(client: Redis): Promise<number> {
  const [s, us] = await client.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

after(async () => {
  await Promise.all(pacers.map((p) => p.close().catch(() => undefined)));
  if (prefixes.length === 0) return;
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    for (const p of prefixes) {
      const keys = await client.keys(`${p}:*`);
      if (keys.length > 0) await client.del(...keys);
    }
  } catch {
    // Redis was not there: nothing to clean
  } finally {
    client.disconnect();
  }
});

describe('maxInWindow (the checker the pacer tests rely on)', () => {
  test('counts the starts of the fullest closed interval', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 500 }),
        (times, interval) => {
          let brute = 0;
          for (const a of times) brute = Math.max(brute, times.filter((t) => t >= a && t <= a + interval).length);
          assert.equal(maxInWindow(times, interval), brute);
        },
      ),
    );
  });
});

describe('Redis pacer: one quota across pacer instances', () => {
  test('four instances acquiring at once never exceed the quota in any sliding interval', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const grants: number[] = [];
    const rate = { calls: 5, intervalMs: 400 };
    const instances = [1, 2, 3, 4].map(() => pacer({ prefix: p, rate, onGrant: (_k, at) => grants.push(at) }));
    await Promise.all(instances.flatMap((inst) => Array.from({ length: 6 }, () => inst.acquire('daily'))));
    assert.equal(grants.length, 24);
    assert.ok(
      maxInWindow(grants, rate.intervalMs) <= rate.calls,
      `max ${maxInWindow(grants, rate.intervalMs)} starts in ${rate.intervalMs} ms`,
    );
    // the limit is per key: another API is not slowed by this one's window
    assert.equal(instances[0].rate('daily'), 750);
  });

  test('without a quota the same load does exceed it (the check above can fail)', async (t) => {
    if (!(await redisAvailable(t))) return;
    const grants: number[] = [];
    const instances = [1, 2].map(() =>
      pacer({ prefix: prefix(), rate: 'adaptive', onGrant: (_k, at) => grants.push(at) }),
    );
    await Promise.all(instances.flatMap((inst) => Array.from({ length: 6 }, () => inst.acquire('daily'))));
    assert.ok(maxInWindow(grants, 400) > 5);
    assert.equal(instances[0].rate('daily'), Infinity);
  });

  test('three child processes share one quota', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const child = fileURLToPath(new URL('./pacer-child.js', import.meta.url));
    const outputs = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, [child, REDIS_URL, p, '6', '500', '8'])),
    );
    const grants = outputs.flatMap((o) => JSON.parse(o.stdout.trim()) as number[]);
    assert.equal(grants.length, 24);
    assert.ok(maxInWindow(grants, 500) <= 6, `max ${maxInWindow(grants, 500)} starts in 500 ms`);
  });

  test('a refusal seen by one instance pauses every instance for retryAfterMs', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const grants: number[] = [];
    const a = pacer({ prefix: p, rate: { calls: 100, intervalMs: 1000 } });
    const b = pacer({ prefix: p, rate: { calls: 100, intervalMs: 1000 }, onGrant: (_k, at) => grants.push(at) });
    const client = new Redis(REDIS_URL);
    try {
      const before = await redisTime(client);
      a.onRateLimited('daily', { retryAfterMs: 300 });
      await a.acquire('daily').catch(() => undefined); // same connection, so the cooldown is set by now
      await b.acquire('daily');
      assert.ok(grants[0] >= before + 300 - 2, `granted ${grants[0] - before} ms after the refusal`);
      // another key is not paused
      const other: number[] = [];
      const c = pacer({ prefix: p, rate: { calls: 100, intervalMs: 1000 }, onGrant: (_k, at) => other.push(at) });
      a.onRateLimited('daily', { retryAfterMs: 60000 });
      await a.acquire('weekly');
      await c.acquire('weekly');
      assert.equal(other.length, 1);
    } finally {
      client.disconnect();
    }
  });

  test('a named quota lowers the shared rate for every instance, paced evenly', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const a = pacer({ prefix: p, rate: { calls: 500, intervalMs: 60000 } });
    const b = pacer({ prefix: p, rate: { calls: 500, intervalMs: 60000 } });
    a.onRateLimited('daily', { retryAfterMs: 0, quota: { calls: 2, intervalMs: 60000 } });
    await a.acquire('daily');
    assert.equal(a.rate('daily'), 2);
    // 2 a minute is one start every 30 s: the second start waits (it gives up when its signal fires)
    await assert.rejects(b.acquire('daily', AbortSignal.timeout(300)), (err: Error) => err.name === 'TimeoutError');
    assert.equal(b.rate('daily'), 2);
    // a looser quota named later does not raise it again
    a.onRateLimited('daily', { retryAfterMs: 0, quota: { calls: 50, intervalMs: 60000 } });
    await assert.rejects(a.acquire('daily', AbortSignal.timeout(100)));
    assert.equal(a.rate('daily'), 2);
    assert.deepEqual(a.learnedQuota?.('daily'), { calls: 50, intervalMs: 60000 });
  });

  test('slow quotas are stored with their period and spread: 10 an hour is 1 per 6 minutes', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const a = pacer({ prefix: p, rate: 'none' });
    a.onRateLimited('stock_basic', { retryAfterMs: 0, quota: { calls: 10, intervalMs: 3_600_000 } });
    await a.acquire('stock_basic');
    const client = new Redis(REDIS_URL);
    try {
      const base = `${p}:{stock_basic}`;
      assert.deepEqual(await client.hgetall(`${base}:learned`), { calls: '1', intervalMs: '360000' });
      assert.ok((await client.pttl(`${base}:learned`)) > 86_000_000, 'kept at least a day');
      assert.ok(Math.abs(a.rate('stock_basic') - 10 / 60) < 1e-3, `rate ${a.rate('stock_basic')}`);
      // the wait the script computes for the next start: the rest of the 6 minutes (margin 0 for none)
      const [waitMs, reason] = (await client.eval(
        ACQUIRE_LUA,
        4,
        `${base}:starts`,
        `${base}:cooldown`,
        `${base}:learned`,
        `${base}:inflight`,
        -1,
        60000,
        0,
        'probe',
        0,
        25,
      )) as number[];
      assert.equal(reason, 1);
      assert.ok(waitMs > 359_000 && waitMs <= 360_001, `wait ${waitMs}`);
      // 1 an hour: one start an hour
      a.onRateLimited('stock_basic', { retryAfterMs: 0, quota: { calls: 1, intervalMs: 3_600_000 } });
      await a.close();
      assert.deepEqual(await client.hgetall(`${base}:learned`), { calls: '1', intervalMs: '3600000' });
    } finally {
      client.disconnect();
    }
  });

  test('a used-up daily quota pauses every instance without changing the learned pace', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const a = pacer({ prefix: p, rate: 'adaptive' });
    await a.acquire('daily');
    a.onRateLimited('daily', { retryAfterMs: 3_600_000, exhausted: true, quota: { calls: 2, intervalMs: 86_400_000 } });
    await a.close();
    const client = new Redis(REDIS_URL);
    try {
      const base = `${p}:{daily}`;
      assert.ok((await client.pttl(`${base}:cooldown`)) > 3_500_000);
      assert.equal(await client.exists(`${base}:learned`), 0);
    } finally {
      client.disconnect();
    }
  });

  test("adaptive: a refusal without a named quota sets 80% of the last minute's starts", async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const a = pacer({ prefix: p, rate: 'adaptive' });
    for (let i = 0; i < 10; i += 1) await a.acquire('daily');
    assert.equal(a.rate('daily'), Infinity);
    a.onRateLimited('daily', { retryAfterMs: 0 });
    await assert.rejects(a.acquire('daily', AbortSignal.timeout(200)));
    assert.equal(a.rate('daily'), 8);
  });

  test('hold mode: a granted call keeps its slot until released, then counts from the release', async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const grants: number[] = [];
    const rate = { calls: 2, intervalMs: 200 };
    const a = pacer({ prefix: p, rate, holdMs: 10_000, onGrant: (_k, at) => grants.push(at) });
    const b = pacer({ prefix: p, rate, holdMs: 10_000, onGrant: (_k, at) => grants.push(at) });
    await a.acquire('daily');
    await a.acquire('daily');
    // both calls still in flight: well past the interval, no third slot
    await assert.rejects(b.acquire('daily', AbortSignal.timeout(500)), (err: Error) => err.name === 'TimeoutError');
    const client = new Redis(REDIS_URL);
    try {
      const beforeRelease = await redisTime(client);
      a.release('daily');
      await b.acquire('daily');
      assert.equal(grants.length, 3);
      assert.ok(
        grants[2] >= beforeRelease + rate.intervalMs,
        `granted ${grants[2] - beforeRelease} ms after the release`,
      );
    } finally {
      client.disconnect();
    }
  });

  test('acquire rejects with the signal reason when aborted while waiting', async (t) => {
    if (!(await redisAvailable(t))) return;
    const a = pacer({ prefix: prefix(), rate: { calls: 1, intervalMs: 60000 } });
    await a.acquire('daily');
    const controller = new AbortController();
    const waiting = a.acquire('daily', controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await assert.rejects(waiting, /stop/);
  });
});
