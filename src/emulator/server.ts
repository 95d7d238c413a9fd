/**
 * The emulator's HTTP server: a local Tushare-protocol endpoint with deterministic data, per-API
 * rate limits, an offset limit, a latency model with a capacity knee, and seeded faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf, usageError } from '../core/errors.js';
import { vintageDataset, type Dataset } from './dataset.js';
import { tradingCalendar } from './calendar.js';
import { Vintage, type RevisionSpec, type VintageInfo } from './vintage.js';
import { FaultPlan, parseFaults, type FaultKind, type FaultRates } from './faults.js';
import { latencyFor, validateLatency, type LatencyOptions } from './latency.js';
import { RateWindow, validateRate, type RateSpec } from './limits.js';
import {
  CODE_INTERNAL,
  CODE_OFFSET_LIMIT,
  CODE_REFUSED,
  MSG_INTERNAL,
  checkRequest,
  encodeAnswer,
  isAnswer,
  serveRequest,
  type Answer,
} from './protocol.js';
import { EmulatorStatsCounter, type EmulatorStats } from './stats.js';
import { MSG_BAD_QUERY, TRANSIENT_ANSWERS, rateMessage, type QuotaWording } from './wordings.js';

const DAY_MS = 86_400_000;
/** China's clock (UTC+8): a daily quota resets at its midnight. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * The demo token: public, printed by `sluice emulate`.
 * @example
 * ```ts
 * const source = createTushareSource({ url: emulator.url, token: DEMO_TOKEN, api: 'daily' });
 * ```
 */
export const DEMO_TOKEN = 'sluice-demo-token';

/**
 * Options of `startEmulator`.
 * @example
 * ```ts
 * await startEmulator({ port: 7001, symbols: 10, rate: { calls: 30, intervalMs: 1000 }, faults: 'reset:0.01' });
 * ```
 */
export interface EmulatorOptions extends LatencyOptions {
  /** 0 = a random free port. @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Token the server accepts. @default 'sluice-demo-token' */
  readonly token?: string;
  /** @default 42 */
  readonly seed?: number;
  /** @default 50 */
  readonly symbols?: number;
  /** Row cap of `daily`. @default 6000 */
  readonly rowCap?: number;
  /** Largest offset accepted; beyond it the answer is code 50101. @default 100000 */
  readonly maxOffset?: number;
  /** Rate limit applied to each API separately (none when left out). */
  readonly rate?: RateSpec;
  /** Per-API rate limits, overriding `rate`. */
  readonly rates?: Readonly<Record<string, RateSpec>>;
  /** APIs the token has no permission for (answered 40203 without a quota). */
  readonly deniedApis?: readonly string[];
  /** Fault spec (see faults.ts) or rates. */
  readonly faults?: string | FaultRates;
  /** Clock for the rate windows (tests). @default Date.now */
  readonly now?: () => number;
  /**
   * Wording of rate-limit refusals: `current` ("抱歉，您访问接口(daily)频率超限(500次/分钟)，...") or
   * `classic` ("抱歉，您每分钟最多访问该接口500次，..."). @default 'current'
   */
  readonly quotaWording?: QuotaWording;
  /**
   * Calls each API admits per day (midnight to midnight China time), or per API; past it every call
   * is refused with the daily wording ("...频率超限(N次/天)" / "每天最多访问该接口N次").
   */
  readonly dailyQuota?: number | Readonly<Record<string, number>>;
  /**
   * Requests whose params hold every pair of one entry (values compared as text) are answered
   * with the generic 50101 "查询数据失败，请确认参数！..." (a bad query, not the offset limit).
   */
  readonly badQueries?: readonly Readonly<Record<string, string>>[];
  /** Per-API row caps (below each table's own cap), e.g. `{ daily: 4000 }`. */
  readonly rowCaps?: Readonly<Record<string, number>>;
  /** false: answers never carry `has_more` (the real server's behaviour is not documented). @default true */
  readonly hasMore?: boolean;
  /**
   * Serve market data only up to this day (YYYYMMDD): the vendor's data as of then. Move it on
   * with `setAsOf`. @default the dataset's last day (20261231)
   */
  readonly asOf?: string;
  /**
   * The last `days` trading days through `through` (default: asOf) serve revised values (daily
   * vol and amount; fina_indicator eps of reports announced then), as a vendor correcting itself.
   * Change it with `setRevisions`.
   */
  readonly revisions?: RevisionSpec;
  /** Told of every business answer (faults excluded) as it is decided: for tests that time them. */
  readonly onAnswer?: (answer: { readonly api: string; readonly code: number; readonly tMs: number }) => void;
}

/**
 * A running emulator.
 * @example
 * ```ts
 * const emulator: Emulator = await startEmulator();
 * console.log(emulator.url, emulator.stats());
 * await emulator.close();
 * ```
 */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`; POST to it or to `${url}/dataapi`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The data the server answers from (ground truth for tests). */
  readonly dataset: Dataset;
  stats(): EmulatorStats;
  /** Serve market data up to `asOf` (YYYYMMDD) from now on; undefined: all of it. `dataset` follows. */
  setAsOf(asOf: string | undefined): void;
  /** Revise the last `days` trading days through `through` (default: asOf); undefined: no revision. */
  setRevisions(spec: RevisionSpec | undefined): void;
  /** What is served now: asOf and the revised days. */
  vintage(): VintageInfo;
  /** Stop listening and drop every open connection (hung requests included). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

/**
 * Start an emulator; resolves once it listens.
 * @example
 * ```ts
 * import { DEMO_TOKEN, createTushareSource, execute, startEmulator } from 'sluice';
 * const emulator = await startEmulator({ symbols: 5 });
 * const source = createTushareSource({ url: emulator.url, token: DEMO_TOKEN, api: 'daily' });
 * for await (const o of execute([{ key: 'jan', params: { start_date: '20240102', end_date: '20240131' } }], {
 *   source,
 * }))
 *   console.log(o.status);
 * await emulator.close();
 * ```
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  validateLatency(opts);
  if (opts.rate) validateRate(opts.rate, 'rate');
  for (const [api, spec] of Object.entries(opts.rates ?? {})) validateRate(spec, `rates.${api}`);
  const maxOffset = opts.maxOffset ?? 100_000;
  if (!Number.isSafeInteger(maxOffset) || maxOffset < 0)
    throw usageError(`maxOffset: expected a whole number >= 0, got ${maxOffset}`);
  const seed = opts.seed ?? 42;
  const vintage = new Vintage(tradingCalendar());
  vintage.setAsOf(opts.asOf);
  vintage.setRevisions(opts.revisions);
  const ds = vintageDataset({ seed, symbols: opts.symbols ?? 50, dailyRowCap: opts.rowCap ?? 6000 }, vintage);
  const token = opts.token ?? DEMO_TOKEN;
  const denied = new Set(opts.deniedApis ?? []);
  const faults = new FaultPlan(typeof opts.faults === 'string' ? parseFaults(opts.faults) : (opts.faults ?? {}), seed);
  const windows = new Map<string, { window: RateWindow; spec: RateSpec }>();
  const wording = opts.quotaWording ?? 'current';
  const usedToday = new Map<string, { day: number; used: number }>();
  for (const [api, cap] of Object.entries(opts.rowCaps ?? {})) {
    if (!Number.isSafeInteger(cap) || cap < 1)
      throw usageError(`rowCaps.${api}: expected a whole number >= 1, got ${cap}`);
  }
  let transientSeq = 0;
  const stats = new EmulatorStatsCounter();
  const timers = new Set<NodeJS.Timeout>();
  let requestSeq = 0;

  function limiterFor(api: string): { window: RateWindow; spec: RateSpec } | undefined {
    const spec = opts.rates?.[api] ?? opts.rate;
    if (!spec) return undefined;
    let w = windows.get(api);
    if (!w) {
      w = { window: new RateWindow(spec, opts.now), spec };
      windows.set(api, w);
    }
    return w;
  }

  /** The API's daily quota when today's is used up (else undefined; an admitted call counts). */
  function dailyRefusal(api: string): number | undefined {
    const quota = typeof opts.dailyQuota === 'number' ? opts.dailyQuota : opts.dailyQuota?.[api];
    if (quota === undefined) return undefined;
    const day = Math.floor(((opts.now ?? Date.now)() + CHINA_OFFSET_MS) / DAY_MS);
    let u = usedToday.get(api);
    if (!u || u.day !== day) {
      u = { day, used: 0 };
      usedToday.set(api, u);
    }
    if (u.used >= quota) return quota;
    u.used++;
    return undefined;
  }

  const isBadQuery = (params: Readonly<Record<string, unknown>>): boolean =>
    (opts.badQueries ?? []).some((q) => Object.entries(q).every(([k, v]) => String(params[k] ?? '') === v));

  function later(fn: () => void, ms: number): void {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  function send(res: ServerResponse, status: number, body: string, delayMs: number): void {
    later(() => {
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    }, delayMs);
  }

  function applyFault(kind: FaultKind, res: ServerResponse, id: string, delayMs: number): void {
    stats.fault(kind);
    switch (kind) {
      case '5xx':
        return send(res, 503, '{"error":"service unavailable"}', delayMs);
      case 'reset':
        return later(() => res.socket?.destroy(), delayMs);
      case 'hang':
        return; // never answer; the connection closes when the client gives up or on close()
      case 'malformed':
        return send(
          res,
          200,
          `{"request_id":"${id}","code":0,"msg":"","data":{"fields":["ts_code"],"items":[["00`,
          delayMs,
        );
      case 'internal':
        return send(res, 200, encodeAnswer(id, { code: CODE_INTERNAL, msg: MSG_INTERNAL }), delayMs);
      case 'transient':
        return send(res, 200, encodeAnswer(id, TRANSIENT_ANSWERS[transientSeq++ % TRANSIENT_ANSWERS.length]), delayMs);
      case 'badquery':
        return send(res, 200, encodeAnswer(id, { code: CODE_OFFSET_LIMIT, msg: MSG_BAD_QUERY }), delayMs);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.open();
    res.on('close', () => stats.closeOne());
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    if (path !== '' && path !== '/dataapi') return send(res, 404, '{"error":"not found"}', 0);
    if (req.method !== 'POST') return send(res, 405, '{"error":"POST only"}', 0);
    const text = await readBody(req);
    const id = `emu-${++requestSeq}`;
    const delayMs = latencyFor(stats.inflight, opts);
    if (text === undefined) return send(res, 413, '{"error":"body too large"}', delayMs);
    const checked = checkRequest(ds, text, { token, deniedApis: denied });
    let answer: Answer;
    let quotaRefusal = false;
    if (isAnswer(checked)) {
      answer = checked;
    } else {
      stats.call(checked.api);
      const limiter = limiterFor(checked.api);
      const admitted = !limiter || limiter.window.tryAcquire();
      const daily = admitted ? dailyRefusal(checked.api) : undefined;
      if (limiter && !admitted) {
        answer = { code: CODE_REFUSED, msg: rateMessage(checked.api, limiter.spec, wording) };
        quotaRefusal = true;
      } else if (daily !== undefined) {
        answer = { code: CODE_REFUSED, msg: rateMessage(checked.api, { calls: daily, intervalMs: DAY_MS }, wording) };
        quotaRefusal = true;
      } else if (isBadQuery(checked.params)) {
        answer = { code: CODE_OFFSET_LIMIT, msg: MSG_BAD_QUERY };
      } else {
        const fault = faults.draw();
        if (fault) return applyFault(fault, res, id, delayMs);
        answer = serveRequest(ds, checked, {
          maxOffset,
          cap: opts.rowCaps?.[checked.api],
          hasMore: opts.hasMore !== false,
        });
      }
    }
    stats.answer(answer.code, answer.data?.items.length ?? 0, quotaRefusal);
    opts.onAnswer?.({ api: isAnswer(checked) ? '' : checked.api, code: answer.code, tMs: performance.now() });
    send(res, 200, encodeAnswer(id, answer), delayMs);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      stats.answer(CODE_INTERNAL, 0);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: messageOf(err) }));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    token,
    dataset: ds,
    stats: () => stats.snapshot(),
    setAsOf: (asOf) => vintage.setAsOf(asOf),
    setRevisions: (spec) => vintage.setRevisions(spec),
    vintage: () => vintage.info(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
