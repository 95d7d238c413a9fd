/**
 * Local services for tests: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379.
 * When a service is unreachable the test is skipped, unless SLUICE_REQUIRE_SERVICES=1 (CI), in
 * which case it fails with a clear message.
 */
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The URL tests use for PostgreSQL (trust auth, database `test`). */
export const POSTGRES_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The URL tests use for Redis. */
export const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The bit of node:test's TestContext this helper needs. */
export interface SkippableTest {
  skip(message?: string): void;
}

/** True when a TCP connection to host:port opens within `timeoutMs`. */
export function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function requireService(t: SkippableTest, name: string, url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  const portNumber = Number(port || (name === 'PostgreSQL' ? 5432 : 6379));
  if (await reachable(hostname, portNumber)) return url;
  const message = `${name} not reachable at ${hostname}:${portNumber}`;
  if (process.env.SLUICE_REQUIRE_SERVICES === '1') {
    throw new Error(`${message}, and SLUICE_REQUIRE_SERVICES=1 requires it: start the service or unset the variable`);
  }
  t.skip(message);
  return undefined;
}

/** The PostgreSQL URL when the server is reachable; otherwise skips (or fails in CI). */
export function requirePostgres(t: SkippableTest): Promise<string | undefined> {
  return requireService(t, 'PostgreSQL', POSTGRES_URL);
}

/** The Redis URL when the server is reachable; otherwise skips (or fails in CI). */
export function requireRedis(t: SkippableTest): Promise<string | undefined> {
  return requireService(t, 'Redis', REDIS_URL);
}

/** A name unique to this test process, e.g. for a schema: `prefix_<random hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Drops the test schemas (and everything in them) from the test database; nothing to do when none. */
export async function dropSchemas(schemas: readonly string[], url = POSTGRES_URL): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
