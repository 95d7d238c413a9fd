/**
 * Redis connections for the distributed engine: one place that turns a `redis://` URL (or ioredis
 * options) into client options, registers the password as a secret and prints URLs redacted.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { usageError } from '../core/errors.js';
import { redactUrls, registerSecret } from '../core/secrets.js';

/** A Redis address: `redis://[user:pass@]host[:port][/db]` (or `rediss://`), or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** Parse a queue URL into ioredis options; throws a usage error naming `flag` when it is not one. */
export function redisOptions(connection: RedisConnection, flag = '--queue'): RedisOptions {
  if (typeof connection !== 'string') {
    registerSecret(connection.password);
    return { ...connection };
  }
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    throw usageError(
      `${flag}: expected a URL like redis://127.0.0.1:6379, got ${JSON.stringify(redactUrls(connection))}`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw usageError(`${flag}: expected a redis:// or rediss:// URL, got ${JSON.stringify(redactUrls(connection))}`);
  }
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  registerSecret(password);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw usageError(`${flag}: database number must be a whole number, got ${JSON.stringify(dbText)}`);
  const options: RedisOptions = {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db,
  };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (password !== undefined) options.password = password;
  if (url.protocol === 'rediss:') options.tls = {};
  return options;
}

/** The URL with its password replaced by `***`, for messages. */
export function redactedQueueUrl(connection: RedisConnection): string {
  if (typeof connection === 'string') return redactUrls(connection);
  const auth = connection.password ? `${connection.username ?? ''}:***@` : '';
  return `redis://${auth}${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}/${connection.db ?? 0}`;
}

/**
 * A new client. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands); the pacer
 * and the producer use the same so that a Redis restart delays work instead of failing it.
 */
export function connectRedis(connection: RedisConnection): Redis {
  const client = new Redis({ maxRetriesPerRequest: null, ...redisOptions(connection) });
  // ioredis reconnects by itself; a lasting outage shows as commands that do not answer.
  client.on('error', () => undefined);
  return client;
}

/** Resolves when Redis answers PING; a usage error naming `flag` after `timeoutMs` without an answer. */
export async function ensureReachable(
  client: Redis,
  connection: RedisConnection,
  timeoutMs = 5000,
  flag = '--queue',
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          usageError(`${flag}: cannot reach Redis at ${redactedQueueUrl(connection)} (no answer in ${timeoutMs} ms)`),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Close a client: QUIT when connected (bounded by `timeoutMs`), otherwise drop it at once. */
export async function closeRedis(client: Redis, timeoutMs = 2000): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await settleWithin(client.quit(), timeoutMs);
  if ((client.status as string) !== 'end') client.disconnect();
}

/** Wait for `work` at most `timeoutMs`; its failure is ignored (used on the way out). */
export async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
