/**
 * Child process for the cross-process pacer test: acquires `count` slots from a shared Redis pacer
 * and prints the Redis clock time of each grant as one JSON array on stdout.
 * argv: redisUrl prefix calls intervalMs count
 */
import { createRedisPacer } from '../../src/distributed/redis-pacer.js';

const [url, prefix, calls, intervalMs, count] = process.argv.slice(2);
const grants: number[] = [];
const pacer = createRedisPacer({
  connection: url,
  prefix,
  rate: { calls: Number(calls), intervalMs: Number(intervalMs) },
  onGrant: (_key, atMs) => grants.push(atMs),
});
for (let i = 0; i < Number(count); i += 1) await pacer.acquire('daily');
await pacer.close();
process.stdout.write(`${JSON.stringify(grants)}\n`);
