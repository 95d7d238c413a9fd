import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
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

describe('Redis pacer on the Redis clock: one quota across pacer instances', () => {
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
    assert.equal(instances[0].rate('daily'), (5 * 60_000) / (400 + 1));
  });

  test('without a quota the same load does exceed it (the check above can fail)', async (t) => {
    if (!(await redisAvailable(t))) return;
    const grants: number[] = [];
    const instances = [1, 2].map(() => pacer({ prefix: prefix(), onGrant: (_k, at) => grants.push(at) }));
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

  test("a key's state is one small hash that expires when unused", async (t) => {
    if (!(await redisAvailable(t))) return;
    const p = prefix();
    const a = pacer({ prefix: p, rate: { calls: 1_000_000, intervalMs: 60_000 }, stateTtlMs: 60_000 });
    for (let i = 0; i < 200; i += 1) {
      await a.acquire('daily');
      a.onSuccess('daily');
    }
    await a.flush();
    const client = new Redis(REDIS_URL);
    try {
      assert.deepEqual(await client.keys(`${p}:*`), [`${p}:{daily}:state`]);
      const json = (await client.hget(`${p}:{daily}:state`, 's')) ?? '';
      assert.ok(json.length > 0 && json.length < 5000, `${json.length} characters`);
      const ttl = await client.pttl(`${p}:{daily}:state`);
      assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
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
