/**
 * The Tushare Pro source: POST `{api_name, token, params, fields}` and page through a batch with
 * `limit`/`offset` until an empty page, or a short page without `has_more: true`. One `ctx.call` per request; failures are classified by
 * tushare-codes.ts.
 */
import { ErrorCodes } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import type { CallContext, Source } from '../core/source.js';
import type { Batch, Page } from '../core/types.js';
import { parseJsonBody, requestOnce, sourceError, statusError, type FetchLike } from './http-common.js';
import { tushareError } from './tushare-codes.js';

/** The public Tushare Pro endpoint. */
export const TUSHARE_URL = 'http://api.tushare.pro';

export interface TushareSourceOptions {
  /**
   * Endpoint: a base URL (`http://host:port`) or the full `/dataapi` URL; both are accepted.
   * @default 'http://api.tushare.pro'
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
   * @default 6000
   */
  readonly rowCap?: number;
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
 * (the job contract allows both; Tushare only the compact form). Other values pass unchanged.
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

/** Create a Tushare source for one API. The token is registered as a secret here. */
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
  const rowCap = wholeNumber('source.rowCap', opts.rowCap, 6000, 1);
  // 0: the API does not page at all (one call per window).
  const maxOffset = wholeNumber('source.maxOffset', opts.maxOffset, 100_000, 0);
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
    const overflow = (): Error =>
      sourceError(
        ErrorCodes.OVERFLOW,
        `${label}: batch ${batch.key} holds more than ${maxOffset + rowCap - 1} rows (offset limit ${maxOffset}); the window must be split`,
        { batchKey: batch.key },
      );
    let offset = 0;
    for (let page = 0; ; page++) {
      // Past the last page start the server accepts, one probe at maxOffset itself can still prove
      // the window complete: its page overlaps rows already here, and a short one means nothing follows.
      // When the last page already started at maxOffset, the probe could show nothing new: split.
      const probe = offset > maxOffset;
      if (probe && offset - maxOffset >= rowCap) throw overflow();
      const at = probe ? maxOffset : offset;
      // Only the request is rewritten; the batch keeps the user's date format.
      const params = tushareParams({ ...fixed, ...batch.params, limit: rowCap, offset: at });
      let hasMore: unknown;
      const result = await ctx.call(
        async (signal) => {
          const answer = await requestPage(params, signal);
          hasMore = answer.hasMore;
          return answer.page;
        },
        { page, offset: at },
      );
      if (probe) {
        if (result.items.length >= rowCap || hasMore === true) throw overflow();
        const fresh = result.items.slice(offset - maxOffset);
        if (fresh.length > 0) yield { fields: result.fields, items: fresh };
        return;
      }
      // The first page is always yielded so that the fields are known even for an empty batch.
      if (page === 0 || result.items.length > 0) yield result;
      // An empty page always ends the batch (no progress is possible). A short page ends it unless
      // the server says `has_more: true`: its own page cap may be below `rowCap`.
      if (result.items.length === 0) return;
      if (result.items.length < rowCap && hasMore !== true) return;
      // Advance by what arrived (a server that ignores `limit` must not cause duplicates).
      offset += result.items.length;
    }
  }

  return {
    api,
    rowCap,
    ...(opts.fields && opts.fields.length > 0 ? { fields: [...opts.fields] } : {}),
    fetch: fetchBatch,
  };
}
