/**
 * A Pacer shared by every process that talks to the same Redis: an exact sliding-window limit
 * (one atomic Lua check-and-reserve per call start), a shared cooldown after any process is
 * refused for rate, and a shared learned quota when the server names one.
 *
 * `adaptive` here is deliberately simpler than the local adaptive pacer: calls are unpaced until
 * the server refuses one; a refusal that names a quota ("N calls per minute", "N per hour") sets
 * that quota, paced evenly, for everyone, one that does not sets 80% of the starts seen in the last minute. It only learns
 * downwards (a learned quota expires after 24 hours without refusals). `none` paces nothing by
 * itself but still shares cooldowns and named quotas.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Pacer, Quota, RateLimit, RateLimitedInfo } from '../core/pacing.js';
import { spreadQuota } from '../run/pacer/spread.js';
import { log } from '../core/log.js';
import { ACQUIRE_LUA, RATE_LIMITED_LUA, RELEASE_LUA } from './pacer-scripts.js';
import { closeRedis, connectRedis, settleWithin, type RedisConnection } from './redis.js';

export interface RedisPacerOptions {
  /** Redis URL or ioredis options; the pacer opens its own client. */
  readonly connection: RedisConnection;
  /** Key prefix: processes sharing a prefix share the quota. @default 'sluice:pace' */
  readonly prefix?: string;
  /**
   * A fixed quota; `adaptive` (learn from refusals only); or `none` (unpaced, but refusals still
   * pause every process and a quota the server names is still applied).
   */
  readonly rate: RedisRate;
  /**
   * Extra spacing added to the interval, to absorb the time between a slot being granted and the
   * request reaching the server. @default min(1000, max(50, 2% of intervalMs)); 0 for adaptive and none
   */
  readonly marginMs?: number;
  /** Shared pause after a refusal without a Retry-After hint. @default 5000 */
  readonly cooldownMs?: number;
  /** Longest single sleep before asking Redis again. @default 1000 */
  readonly maxSleepMs?: number;
  /**
   * Hold mode: a granted call keeps counting as starting "now" until `release(key)` is called for
   * it (then it counts at the release time, an upper bound of when the server saw it), or until
   * this long after its grant. This keeps the quota exact whatever delays a request between its
   * grant and the server (a busy event loop, a cold connection). 0 turns hold mode off.
   * @default 0
   */
  readonly holdMs?: number;
  /** In hold mode, how often a caller waiting only on calls in flight asks again. @default 25 */
  readonly inflightPollMs?: number;
  /** Called with the Redis clock time (ms) of every granted slot (observability and tests). */
  readonly onGrant?: (key: string, atMs: number) => void;
}

export type RedisRate = RateLimit | 'adaptive' | 'none';

export interface RedisPacer extends Pacer {
  /** Hold mode: one call for `key` granted by this pacer has ended (any outcome); oldest first. */
  release(key: string): void;
  /** Closes the pacer's Redis client (pending background updates are flushed first). */
  close(): Promise<void>;
}

type ScriptReply = [number, number, number, number];
type Keys = [string, string, string, string];

interface PacerClient extends Redis {
  sluiceAcquire(...args: [...Keys, number, number, number, string, number, number]): Promise<ScriptReply>;
  sluiceRelease(...args: [...Keys, string]): Promise<number>;
  sluiceRateLimited(
    k1: string,
    k2: string,
    k3: string,
    cooldownMs: number,
    calls: number,
    intervalMs: number,
    adaptive: string,
  ): Promise<number>;
}

/** Default safety margin for a fixed quota. */
export function defaultMarginMs(rate: RedisRate): number {
  if (rate === 'adaptive' || rate === 'none') return 0;
  return Math.min(1000, Math.max(50, Math.round(rate.intervalMs * 0.02)));
}

export function createRedisPacer(options: RedisPacerOptions): RedisPacer {
  const { rate } = options;
  if (rate !== 'adaptive' && rate !== 'none') {
    if (!Number.isInteger(rate.calls) || rate.calls < 1)
      throw new RangeError(`rate.calls: expected a whole number >= 1, got ${rate.calls}`);
    if (!Number.isFinite(rate.intervalMs) || rate.intervalMs <= 0)
      throw new RangeError(`rate.intervalMs: expected a number > 0, got ${rate.intervalMs}`);
  }
  const prefix = options.prefix ?? 'sluice:pace';
  const marginMs = options.marginMs ?? defaultMarginMs(rate);
  const cooldownMs = options.cooldownMs ?? 5000;
  const maxSleepMs = options.maxSleepMs ?? 1000;
  const fixed = rate === 'adaptive' || rate === 'none' ? undefined : rate;
  const calls = fixed ? fixed.calls : -1;
  const intervalMs = fixed ? fixed.intervalMs : 60000;
  const fixedPerMinute = fixed ? (fixed.calls * 60000) / fixed.intervalMs : Infinity;

  const client = connectRedis(options.connection) as PacerClient;
  client.defineCommand('sluiceAcquire', { numberOfKeys: 4, lua: ACQUIRE_LUA });
  client.defineCommand('sluiceRelease', { numberOfKeys: 4, lua: RELEASE_LUA });
  client.defineCommand('sluiceRateLimited', { numberOfKeys: 3, lua: RATE_LIMITED_LUA });

  const instance = randomUUID();
  let counter = 0;
  const rates = new Map<string, number>();
  const learnedQuotas = new Map<string, Quota>();
  const pending = new Set<Promise<unknown>>();

  const holdMs = Math.max(0, options.holdMs ?? 0);
  const inflightPollMs = options.inflightPollMs ?? 25;
  /** Hold mode: this pacer's granted, unreleased members per key, oldest first. */
  const held = new Map<string, string[]>();

  const keysOf = (key: string): Keys => {
    const base = `${prefix}:{${key}}`;
    return [`${base}:starts`, `${base}:cooldown`, `${base}:learned`, `${base}:inflight`];
  };

  const track = (p: Promise<unknown>): void => {
    const guarded = p.catch((err: unknown) =>
      log().warn({ err: String(err) }, 'redis pacer: background update failed'),
    );
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };

  return {
    async acquire(key: string, signal?: AbortSignal): Promise<void> {
      const keys = keysOf(key);
      for (;;) {
        signal?.throwIfAborted();
        counter += 1;
        const member = `${instance}:${counter}`;
        const [waitMs, , perMinuteMilli, nowMs] = await client.sluiceAcquire(
          ...keys,
          calls,
          intervalMs,
          marginMs,
          member,
          holdMs,
          inflightPollMs,
        );
        rates.set(key, perMinuteMilli < 0 ? Infinity : perMinuteMilli / 1000);
        if (waitMs <= 0) {
          if (holdMs > 0) held.set(key, [...(held.get(key) ?? []), member]);
          options.onGrant?.(key, nowMs);
          return;
        }
        await sleep(Math.min(waitMs, maxSleepMs), signal);
      }
    },

    onRateLimited(key: string, info: RateLimitedInfo): void {
      const [starts, cooldown, learned] = keysOf(key);
      const pauseMs = Math.max(0, Math.round(info.retryAfterMs ?? cooldownMs));
      // a named quota is stored as its even pace (spread.ts); a used-up daily quota only pauses
      const named = info.quota && !info.exhausted ? info.quota : undefined;
      if (named) learnedQuotas.set(key, named);
      const pace = named ? spreadQuota(named) : undefined;
      const paceMs = pace ? Math.ceil(pace.intervalMs) : 60000;
      const adaptive = rate === 'adaptive' && !info.exhausted ? '1' : '0';
      track(
        client
          .sluiceRateLimited(starts, cooldown, learned, pauseMs, pace?.calls ?? -1, paceMs, adaptive)
          .then((learnedPerMinuteMilli) => {
            if (learnedPerMinuteMilli > 0) rates.set(key, Math.min(fixedPerMinute, learnedPerMinuteMilli / 1000));
          }),
      );
    },

    release(key: string): void {
      const members = held.get(key);
      const member = members?.shift();
      if (member === undefined) return;
      track(client.sluiceRelease(...keysOf(key), member));
    },

    onSuccess(): void {
      // The window itself is the state; a success changes nothing shared.
    },

    rate(key: string): number {
      return rates.get(key) ?? fixedPerMinute;
    },

    learnedQuota(key: string): Quota | undefined {
      return learnedQuotas.get(key);
    },

    async close(): Promise<void> {
      await settleWithin(Promise.all([...pending]), 2000);
      await closeRedis(client);
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
