/**
 * The Tushare Pro source: POST `{api_name, token, params, fields}` and page through a batch with
 * `limit`/`offset` until an empty page, or a short page that is certainly the last one (row-cap.ts:
 * a server whose cap is below the page size, and that never says `has_more`, loses no rows). One
 * `ctx.call` per request; failures are classified by tushare-codes.ts.
 */
import { DEFAULTS } from '../core/defaults.js';
import { ErrorCodes } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import type { CallContext, CapFacts, Source } from '../core/source.js';
import type { Batch, Page } from '../core/types.js';
import { parseJsonBody, requestOnce, sourceError, statusError, type FetchLike } from './http-common.js';
import { RowCap } from './row-cap.js';
import { FALLBACK_ROW_CAP, documentedRowCap, tushareApi } from './tushare-catalogue.js';
import { tushareError } from './tushare-codes.js';

/** The public Tushare Pro endpoint. */
export const TUSHARE_URL = DEFAULTS.tushare.url;

/**
 * Options of `createTushareSource`.
 * @example
 * ```ts
 * createTushareSource({ token, api: 'daily', fields: ['ts_code', 'trade_date', 'close'], rowCap: 6000 });
 * ```
 */
export interface TushareSourceOptions {
  /**
   * Endpoint: a base URL (`http://host:port`) or the full `/dataapi` URL; both are accepted.
   * @default 'https://api.tushare.pro' (the token travels in the request body)
   */
  readonly url?: string;
  /** API token (registered as a secret at once; never printed). */
  readonly token: string;
  /** Interface name, e.g. `daily`. Also the pacing key. */
  readonly api: string;
  /** Fields to ask for; all of the API's default fields when left out. */
  readonly fields?: readonly string[];
  /** Fixed request parameters; a batch's params are merged over them. */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * Rows one call returns at most (page size, sent as `limit`).
   * @default the catalogue's cap of the API, else 6000
   */
  readonly rowCap?: number;
  /**
   * What earlier runs established about the server's real cap (see row-cap.ts). A cap the
   * catalogue documents is trusted without it; any other is checked on short pages.
   */
  readonly knownCap?: CapFacts;
  /**
   * Largest `offset` the server accepts; a batch needing more throws SLUICE_OVERFLOW (split it).
   * @default 100000
   */
  readonly maxOffset?: number;
  /** fetch implementation (tests). @default globalThis.fetch */
  readonly fetchImpl?: FetchLike;
}

interface TushareAnswer {
  code?: unknown;
  msg?: unknown;
  data?: { fields?: unknown; items?: unknown; has_more?: unknown } | null;
}

/** One answered page plus the server's `has_more` flag. */
interface TushareAnswerPage {
  readonly page: Page;
  readonly hasMore: unknown;
}

/**
 * Normalise the endpoint: a bare base URL (`http://h:p` or `http://h:p/`) is used as is (Tushare
 * and the emulator both answer on `/`); a URL ending in `/dataapi` is kept.
 */
export function tushareEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw sourceError(ErrorCodes.USAGE, `source.url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw sourceError(ErrorCodes.USAGE, `source.url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return parsed.toString();
}

const DASHED_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Request params as Tushare accepts them: a string value shaped `YYYY-MM-DD` is sent as `YYYYMMDD`
 * (job files may use either form; Tushare accepts only the compact one). Other values pass unchanged.
 */
export function tushareParams(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] = typeof v === 'string' && DASHED_DATE.test(v) ? v.replaceAll('-', '') : v;
  }
  return out;
}

function wholeNumber(name: string, value: number | undefined, fallback: number, min: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min) {
    throw sourceError(ErrorCodes.USAGE, `${name}: expected a whole number >= ${min}, got ${String(value)}`);
  }
  return n;
}

/**
 * Create a Tushare source for one API. The token is registered as a secret here.
 * @example
 * ```ts
 * import { createTushareSource, execute } from 'sluice';
 * const source = createTushareSource({ token: process.env.TUSHARE_TOKEN!, api: 'daily' });
 * execute([{ key: 'jan', params: { start_date: '20240101', end_date: '20240131' } }], { source });
 * ```
 */
export function createTushareSource(opts: TushareSourceOptions): Source {
  registerSecret(opts.token);
  if (!opts.api || !/^[A-Za-z0-9_]+$/.test(opts.api)) {
    throw sourceError(
      ErrorCodes.USAGE,
      `source.api: expected an interface name such as daily, got ${JSON.stringify(opts.api)}`,
    );
  }
  if (!opts.token) throw sourceError(ErrorCodes.USAGE, `source.token: a Tushare token is required for ${opts.api}`);
  const endpoint = tushareEndpoint(opts.url ?? TUSHARE_URL);
  const rowCap = wholeNumber('source.rowCap', opts.rowCap, tushareApi(opts.api)?.rowCap ?? FALLBACK_ROW_CAP, 1);
  // A documented cap vouches for every page up to it; otherwise short pages are checked (row-cap.ts).
  const documented = documentedRowCap(opts.api) ?? 0;
  const known = opts.knownCap ?? {};
  const cap = new RowCap(rowCap, { exact: known.exact, atLeast: Math.max(known.atLeast ?? 0, documented) });
  // 0: the API does not page at all (one call per window).
  const maxOffset = wholeNumber('source.maxOffset', opts.maxOffset, DEFAULTS.tushare.maxOffset, 0);
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((url, init) => fetch(url, init));
  const api = opts.api;
  const label = `tushare ${api}`;
  const fieldList = opts.fields && opts.fields.length > 0 ? opts.fields.join(',') : '';
  const fixed = opts.params ?? {};
  const token = opts.token;

  async function requestPage(params: Record<string, unknown>, signal: AbortSignal): Promise<TushareAnswerPage> {
    const body = JSON.stringify({ api_name: api, token, params, fields: fieldList });
    const answer = await requestOnce(
      fetchImpl,
      label,
      endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
      },
      signal,
    );
    if (answer.status < 200 || answer.status > 299) throw statusError(label, answer);
    const json = parseJsonBody(label, answer.text);
    if (json === null || typeof json !== 'object') {
      throw sourceError(ErrorCodes.RETRYABLE, `${label}: the response is not a JSON object`);
    }
    const parsed = json as TushareAnswer;
    const code = typeof parsed.code === 'number' ? parsed.code : Number(parsed.code);
    if (!Number.isFinite(code)) throw sourceError(ErrorCodes.RETRYABLE, `${label}: the response has no numeric code`);
    if (code !== 0) throw tushareError(api, code, typeof parsed.msg === 'string' ? parsed.msg : '');
    const data = parsed.data;
    const fields = data?.fields;
    const items = data?.items;
    if (!Array.isArray(fields) || !Array.isArray(items)) {
      throw sourceError(ErrorCodes.RETRYABLE, `${label}: the response has no data.fields/data.items arrays`);
    }
    return { page: { fields: fields as string[], items: items as unknown[][] }, hasMore: data?.has_more };
  }

  async function* fetchBatch(batch: Batch, ctx: CallContext): AsyncIterable<Page> {
    let size = cap.pageSize();
    const overflow = (): Error =>
      sourceError(
        ErrorCodes.OVERFLOW,
        `${label}: batch ${batch.key} holds more than ${maxOffset + size - 1} rows (offset limit ${maxOffset}); the window must be split`,
        { batchKey: batch.key },
      );
    let offset = 0;
    // rows of the previous page when it was short and not certainly the last one (see row-cap.ts)
    let unsure = 0;
    for (let page = 0; ; page++) {
      // Past the last page start the server accepts, one probe at maxOffset itself can still prove
      // the window complete: its page overlaps rows already here, and a short one means nothing follows.
      // When the last page already started at maxOffset, the probe could show nothing new: split.
      const probe = offset > maxOffset;
      if (probe && offset - maxOffset >= size) throw overflow();
      const at = probe ? maxOffset : offset;
      // Only the request is rewritten; the batch keeps the user's date format.
      const params = tushareParams({ ...fixed, ...batch.params, limit: size, offset: at });
      let hasMore: unknown;
      const result = await ctx.call(
        async (signal) => {
          const answer = await requestPage(params, signal);
          hasMore = answer.hasMore;
          return answer.page;
        },
        { page, offset: at },
      );
      const fresh = probe ? result.items.slice(offset - maxOffset) : result.items;
      if (unsure > 0) {
        // the page after a short one tells whether the server cut that one at its cap
        if (fresh.length === 0) {
          cap.whole(unsure);
          cap.checks++;
        } else {
          cap.cut(unsure);
          size = cap.pageSize();
        }
        unsure = 0;
      }
      if (probe) {
        if (fresh.length === 0) return;
        if (result.items.length >= size || hasMore === true || !cap.isLast(result.items.length)) throw overflow();
        yield { fields: result.fields, items: fresh };
        return;
      }
      const n = result.items.length;
      // The first page is always yielded so that the fields are known even for an empty batch.
      if (page === 0 || n > 0) yield result;
      // An empty page always ends the batch (no progress is possible).
      if (n === 0) return;
      if (n >= size) cap.whole(size);
      else if (hasMore === true) {
        // the server says more rows follow a short page: it was cut at the server's own cap
        cap.cut(n);
        size = cap.pageSize();
      } else if (cap.isLast(n)) return;
      else unsure = n;
      // Advance by what arrived (a server that ignores `limit` must not cause duplicates).
      offset += n;
    }
  }

  return {
    api,
    rowCap,
    capFacts: () => cap.facts(),
    knownCap: (facts) => cap.learn(facts),
    ...(opts.fields && opts.fields.length > 0 ? { fields: [...opts.fields] } : {}),
    fetch: fetchBatch,
  };
}
