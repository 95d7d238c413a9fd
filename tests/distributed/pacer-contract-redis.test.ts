/**
 * The pacer contract against the Redis pacer: two pacers on one key prefix, as two workers would
 * share a quota, on a fake clock injected in place of the Redis clock (so hours of pacing take
 * moments); the clock waits for Redis between its timers. Waits are not cut into 1 s polls here
 * (wake-ups come by publish/subscribe), so an hour's wait is one timer.
 */
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisPacer, type RedisPacer } from '../../src/distributed/redis-pacer.js';
import { FakeClock } from '../helpers/run-fake-clock.js';
import { pacerContract } from '../run/pacer-contract.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';

const prefixes: string[] = [];

after(async () => {
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

pacerContract({
  name: 'Redis',
  available: redisAvailable,
  async open(spec, options) {
    const prefix = `sluice-test:${randomUUID()}`;
    prefixes.push(prefix);
    let pacers: RedisPacer[] = [];
    const clock = new FakeClock(async () => {
      for (let round = 0; round < 2; round++) for (const p of pacers) await p.flush();
    });
    pacers = [0, 1].map(() =>
      createRedisPacer({ ...options, connection: REDIS_URL, prefix, rate: spec, clock, maxSleepMs: 3_600_000 }),
    );
    return {
      a: pacers[0],
      b: pacers[1],
      clock,
      close: async () => {
        await Promise.all(pacers.map((p) => p.close()));
      },
    };
  },
});
