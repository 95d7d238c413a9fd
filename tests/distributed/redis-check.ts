/**
 * Is Redis up at 127.0.0.1:6379? Same behaviour as tests/helpers/services.ts `requireRedis`:
 * skip with a clear message when unreachable, unless SLUICE_REQUIRE_SERVICES=1, then fail.
 */
import { createConnection } from 'node:net';
import type { TestContext } from 'node:test';

export const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function ping(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

let reachable: Promise<boolean> | undefined;

/** True when Redis answers; otherwise skips `t` (or throws when services are required). */
export async function redisAvailable(t: TestContext): Promise<boolean> {
  reachable ??= ping(REDIS_URL, 1500);
  if (await reachable) return true;
  const message = `Redis is not reachable at ${REDIS_URL}`;
  if (process.env.SLUICE_REQUIRE_SERVICES === '1') throw new Error(`${message} (SLUICE_REQUIRE_SERVICES=1)`);
  t.skip(`${message}; skipped`);
  return false;
}
