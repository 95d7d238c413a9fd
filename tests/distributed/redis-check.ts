/**
 * Redis for the distributed tests: the shared `requireRedis` (tests/helpers/services.ts) as a
 * boolean: skips when unreachable, unless SLUICE_REQUIRE_SERVICES=1, then fails.
 */
import type { TestContext } from 'node:test';
import { REDIS_URL, requireRedis } from '../helpers/services.js';

export { REDIS_URL };

/** True when Redis answers; otherwise skips `t` (or throws when services are required). */
export async function redisAvailable(t: TestContext): Promise<boolean> {
  return (await requireRedis(t)) !== undefined;
}
