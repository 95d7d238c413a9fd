/**
 * The Redis home of pace rules: a Pacer shared by every process that talks to the same Redis. Each
 * key's rule state (the same rule as in-process, rule.ts) lives in Redis and changes only by an
 * atomic compare-and-set (pacer-scripts.ts): a process applies its events and grants to the latest
 * state it knows and writes the result only if nobody wrote since; otherwise it gets the newer
 * state back and decides again. So every grant in every process is made against every start before
 * it: the quota is exact across processes, and cooldowns, named quotas and adaptive discovery are
 * shared. Per key and process, one write is in flight at a time and carries all the events and
 * grants queued meanwhile. A write that lets calls start earlier (a call ended in hold mode, a pace
 * raised) publishes a wake-up to the processes waiting on that key. Times are the Redis clock as
 * estimated from TIME (redis-time.ts), or an injected clock.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Pacer, PaceEvent, RateLimitedInfo } from '../core/pacing.js';
import { messageOf } from '../core/errors.js';
import { printLine } from '../core/log.js';
import { realClock, type TimerHandle } from '../run/clock.js';
import { rulesFor, type PacerOptions, type PaceSpecs } from '../run/pacer/pacer.js';
import { grantStarts, type KeyState } from '../run/pacer/rule.js';
import { PACE_CAS_LUA } from './pacer-scripts.js';
import { closeRedis, connectRedis, settleWithin, type RedisConnection } from './redis.js';
import { RedisTime } from './redis-time.js';
import { openLane, type Lane, type Waiter } from './pacer-lane.js';

export interface RedisPacerOptions extends PacerOptions {
  /** Redis URL or ioredis options; the pacer opens its own clients. */
  readonly connection: RedisConnection;
  /** Key prefix: processes sharing a prefix share each key's pace. @default 'sluice:pace' */
  readonly prefix?: string;
  /** The configured pace: a quota, `adaptive`, or undefined (unpaced until the server refuses). */
  readonly rate?: PaceSpecs;
  /**
   * The clock the rules run on. @default the Redis clock (TIME), estimated locally; a test may
   * inject a fake clock, whose timers then also schedule the waits.
   */
  readonly clock?: PacerOptions['clock'];
  /** Longest single wait before asking Redis again. @default 1000 */
  readonly maxSleepMs?: number;
  /** A key's state is dropped after this long without a call. @default 172800000 (48 h) */
  readonly stateTtlMs?: number;
  /** Called with the shared clock time of every granted slot (observability and tests). */
  readonly onGrant?: (key: string, atMs: number) => void;
}

export interface RedisPacer extends Pacer {
  /** Resolves when the events recorded so far are in Redis and wake-ups received so far are handled. */
  flush(): Promise<void>;
  /** Closes the pacer's Redis clients (events not yet written are flushed first). */
  close(): Promise<void>;
}

type CasReply = [number, string, string | null, string, string];

interface PacerClient extends Redis {
  sluicePaceCas(
    key: string,
    expected: string,
    next: string,
    state: string,
    ttlMs: number,
    channel: string,
  ): Promise<CasReply>;
}

const END: PaceEvent = { type: 'end' };

export function createRedisPacer(options: RedisPacerOptions): RedisPacer {
  const prefix = options.prefix ?? 'sluice:pace';
  const timers = options.clock ?? realClock;
  const redisTime = options.clock ? undefined : new RedisTime(realClock);
  const ruleOf = rulesFor(options.rate, { ...options, epochMs: options.epochMs ?? 0 });
  const maxSleepMs = options.maxSleepMs ?? 1000;
  const ttlMs = options.stateTtlMs ?? 172_800_000;

  const client = connectRedis(options.connection) as PacerClient;
  client.defineCommand('sluicePaceCas', { numberOfKeys: 1, lua: PACE_CAS_LUA });
  let subscriber: Redis | undefined;
  const lanes = new Map<string, Lane>();
  const byChannel = new Map<string, Lane>();
  const instance = randomUUID();
  let written = 0;
  let closed = false;

  const now = (): number => (redisTime ? redisTime.now() : timers.now());

  const laneFor = (key: string): Lane => {
    let lane = lanes.get(key);
    if (!lane) {
      const base = `${prefix}:{${key}}`;
      lane = openLane(key, ruleOf(key), `${base}:state`, `${base}:wake`);
      lanes.set(key, lane);
    }
    return lane;
  };

  /** One compare-and-set; `state` undefined only reads. Returns true when written. */
  const cas = async (lane: Lane, state?: string, wake = false): Promise<boolean> => {
    const version = state === undefined ? '' : `${instance}:${++written}`;
    const sentAt = realClock.now();
    const [ok, current, json, seconds, micros] = await client.sluicePaceCas(
      lane.redisKey,
      lane.version,
      version,
      state ?? '',
      ttlMs,
      wake ? lane.channel : '',
    );
    redisTime?.sample(sentAt, seconds, micros);
    if (ok === 1) {
      lane.version = version;
      lane.json = state ?? null;
      return true;
    }
    if (current !== lane.version) {
      lane.version = current;
      lane.json = json;
      lane.fresh = true;
    }
    return false;
  };

  const subscribe = async (lane: Lane): Promise<void> => {
    if (lane.subscribed) return;
    if (!subscriber) {
      subscriber = client.duplicate();
      subscriber.on('error', () => undefined);
      subscriber.on('message', (channel: string) => {
        const l = byChannel.get(channel);
        if (l && l.waiters.length > 0) wake(l);
      });
    }
    byChannel.set(lane.channel, lane);
    await subscriber.subscribe(lane.channel);
    lane.subscribed = true;
  };

  const wake = (lane: Lane): void => {
    if (lane.timer !== undefined) {
      timers.clearTimer(lane.timer);
      lane.timer = undefined;
    }
    pump(lane);
  };

  const sleep = (lane: Lane, ms: number): void => {
    if (lane.timer !== undefined) timers.clearTimer(lane.timer);
    lane.timer = timers.setTimer(() => wake(lane), Math.max(1, Math.min(maxSleepMs, Math.ceil(ms)))) as TimerHandle;
  };

  /** Decide and write until nothing is queued for the lane; one pump per lane at a time. */
  const pump = (lane: Lane): void => {
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = drain(lane).finally(() => {
      lane.running = undefined;
      if (lane.again && !closed) pump(lane);
    });
  };

  const drain = async (lane: Lane): Promise<void> => {
    try {
      if (redisTime && !redisTime.known) await cas(lane);
      for (;;) {
        lane.again = false;
        lane.waiters = lane.waiters.filter((w) => !w.done);
        if (lane.events.length === 0 && lane.waiters.length === 0) return;
        const t = now();
        const base = lane.json === null ? lane.rule.initial(t) : (JSON.parse(lane.json) as KeyState);
        const before = lane.rule.nextAt(base, t);
        const queued = lane.events.length;
        let state = base;
        for (const e of lane.events) state = lane.rule.step(state, e.event, e.at);
        const grant = grantStarts(lane.rule, state, lane.waiters.length, t);
        state = grant.state;
        report(lane, lane.rule.callsPerMinute(state));
        if (queued === 0 && grant.granted === 0) {
          // nothing to write: wait on a current view, woken early by anyone who frees a slot
          await subscribe(lane);
          lane.fresh = false;
          await cas(lane);
          if (lane.fresh || lane.again) continue;
          sleep(lane, lane.rule.nextAt(state, t) - t);
          return;
        }
        const after = lane.rule.nextAt(state, t);
        if (!(await cas(lane, JSON.stringify(state), after < before))) continue;
        lane.events.splice(0, queued);
        for (const w of lane.waiters.splice(0, grant.granted)) {
          if (w.done) {
            lane.events.push({ event: END, at: t }); // aborted meanwhile: its slot ends unused
            continue;
          }
          w.done = true;
          w.signal?.removeEventListener('abort', w.onAbort as () => void);
          options.onGrant?.(lane.key, t);
          w.resolve();
        }
      }
    } catch (err) {
      if (closed) return;
      printLine(`sluice: redis pacer: update failed, retrying: ${messageOf(err)}`);
      sleep(lane, maxSleepMs);
    }
  };

  const report = (lane: Lane, callsPerMinute: number): void => {
    const before = lane.rate;
    lane.rate = callsPerMinute;
    if (!options.events?.has('pace:rate') || callsPerMinute === Infinity) return;
    if (Math.abs(callsPerMinute - before) < 0.05 * before) return;
    options.events.emit('pace:rate', { api: lane.key, tMs: Date.now(), callsPerMinute });
  };

  const record = (key: string, event: PaceEvent): void => {
    const lane = laneFor(key);
    lane.events.push({ event, at: now() });
    pump(lane);
  };

  return {
    acquire(key: string, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const lane = laneFor(key);
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, signal, done: false };
        if (signal) {
          w.onAbort = () => {
            if (w.done) return;
            w.done = true;
            reject(signal.reason);
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        lane.waiters.push(w);
        pump(lane);
      });
    },

    onRateLimited(key: string, info: RateLimitedInfo): void {
      record(key, { type: 'refused', info });
    },

    onSuccess(key: string): void {
      record(key, END);
    },

    rate(key: string): number {
      const lane = laneFor(key);
      if (!Number.isNaN(lane.rate)) return lane.rate;
      return lane.rule.callsPerMinute(lane.rule.initial(now()));
    },

    learnedQuota(key: string) {
      const json = lanes.get(key)?.json;
      return json ? ((JSON.parse(json) as KeyState).learned ?? undefined) : undefined;
    },

    async flush(): Promise<void> {
      if (subscriber && lanes.size > 0) await subscriber.ping().catch(() => undefined);
      for (const lane of lanes.values()) while (lane.running) await lane.running;
    },

    async close(): Promise<void> {
      await settleWithin(this.flush(), 2000);
      closed = true;
      for (const lane of lanes.values()) if (lane.timer !== undefined) timers.clearTimer(lane.timer);
      if (subscriber) await closeRedis(subscriber);
      await closeRedis(client);
    },
  };
}
