/**
 * A generic HTTP JSON source: a URL template with `{param}` placeholders, GET or POST, rows found
 * at a dotted path of the response (objects, or arrays plus a fields path), and offset, page or
 * cursor pagination. One `ctx.call` per request.
 */
import { DEFAULTS } from '../core/defaults.js';
import { ErrorCodes } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import type { CallContext, Source } from '../core/source.js';
import type { Batch, Page } from '../core/types.js';
import { parseJsonBody, readPath, requestOnce, sourceError, statusError, type FetchLike } from './http-common.js';
import { fillTemplate, fillUrl, placeholders } from './http-template.js';

/** How a batch is paged. */
export type HttpPagination =
  | { readonly type: 'none' }
  /** `offsetParam`/`limitParam` (defaults `offset`/`limit`); ends on a short page. */
  | { readonly type: 'offset'; readonly offsetParam?: string; readonly limitParam?: string }
  /** `pageParam` counts from `firstPage` (default 1); `sizeParam` optional; ends on a short page. */
  | { readonly type: 'page'; readonly pageParam?: string; readonly sizeParam?: string; readonly firstPage?: number }
  /** Next cursor read at `cursorPath` and sent as `cursorParam`; ends when it is missing or empty. */
  | { readonly type: 'cursor'; readonly cursorPath: string; readonly cursorParam: string };

/**
 * Options of `createHttpSource`.
 * @example
 * ```ts
 * createHttpSource({
 *   api: 'prices',
 *   url: 'https://example.com/prices/{symbol}?from={start_date}&to={end_date}',
 *   headers: { Authorization: `Bearer ${token}` },
 *   rowsPath: 'data',
 *   pagination: { type: 'page', pageParam: 'page', sizeParam: 'size' },
 * });
 * ```
 */
export interface HttpSourceOptions {
  /** Pacing key (one quota per key). */
  readonly api: string;
  /** URL template, e.g. `http://127.0.0.1:8080/prices/{symbol}?from={start_date}`. */
  readonly url: string;
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST';
  /**
   * POST body template (JSON). A string that is exactly `{name}` becomes the parameter's value with
   * its type; `{name}` inside a longer string is substituted as text. Without a template, POST sends
   * all parameters as a JSON object.
   */
  readonly body?: unknown;
  /**
   * For GET: parameters not used by the URL template are appended as query parameters.
   * @default true
   */
  readonly queryParams?: boolean;
  /** Extra request headers. Values listed in `secrets` (or named like auth/token/key) are registered as secrets. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Secret values (tokens) used in the URL, headers or params. */
  readonly secrets?: readonly string[];
  /** Fixed parameters; a batch's params are merged over them. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Dotted path of the rows in the response; '' = the response itself. @default '' */
  readonly rowsPath?: string;
  /** When rows are arrays: dotted path of the field names in the response. */
  readonly fieldsPath?: string;
  /** Field names: the columns picked from object rows (default: the first row's keys), or the names of array rows. */
  readonly fields?: readonly string[];
  /** Page size. @default 1000 */
  readonly rowCap?: number;
  /** @default { type: 'none' } */
  readonly pagination?: HttpPagination;
  /** Status codes meaning "rate limited" (Retry-After is honoured). @default [429] */
  readonly rateLimitStatuses?: readonly number[];
  /** Safety stop: most pages one batch may take. @default 10000 */
  readonly maxPages?: number;
  /** @default globalThis.fetch */
  readonly fetchImpl?: FetchLike;
}

const SECRET_HEADER = /auth|token|key|secret|password|cookie/i;

/** Turn the rows found in a response into a Page. */
function toPage(label: string, json: unknown, opts: HttpSourceOptions, known: readonly string[] | undefined): Page {
  const rows = readPath(json, opts.rowsPath ?? DEFAULTS.http.rowsPath);
  if (!Array.isArray(rows)) {
    throw sourceError(
      ErrorCodes.RETRYABLE,
      `${label}: no row array at ${JSON.stringify(opts.rowsPath ?? DEFAULTS.http.rowsPath)} in the response`,
    );
  }
  if (rows.length > 0 && Array.isArray(rows[0])) {
    const fromBody = opts.fieldsPath !== undefined ? readPath(json, opts.fieldsPath) : undefined;
    const fields = Array.isArray(fromBody) ? (fromBody as string[]) : opts.fields;
    if (!fields)
      throw sourceError(ErrorCodes.BAD_PARAM, `${label}: rows are arrays but neither fieldsPath nor fields names them`);
    return { fields, items: rows as unknown[][] };
  }
  const first = rows[0] as Record<string, unknown> | undefined;
  const fields = opts.fields ?? known ?? (first && typeof first === 'object' ? Object.keys(first) : []);
  const items = new Array<unknown[]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object')
      throw sourceError(ErrorCodes.RETRYABLE, `${label}: row ${i} is not an object`);
    const out = new Array<unknown>(fields.length);
    for (let j = 0; j < fields.length; j++) out[j] = r[fields[j]] ?? null;
    items[i] = out;
  }
  return { fields, items };
}

/**
 * Create a generic HTTP JSON source.
 * @example
 * ```ts
 * import { createHttpSource, execute } from 'sluice';
 * const source = createHttpSource({
 *   api: 'prices',
 *   url: 'http://127.0.0.1:8080/prices?from={start_date}&to={end_date}',
 *   rowsPath: 'rows',
 * });
 * for await (const o of execute(batches, { source })) console.log(o.status);
 * ```
 */
export function createHttpSource(opts: HttpSourceOptions): Source {
  for (const s of opts.secrets ?? []) registerSecret(s);
  for (const [name, value] of Object.entries(opts.headers ?? {})) if (SECRET_HEADER.test(name)) registerSecret(value);
  const rowCap = opts.rowCap ?? DEFAULTS.http.rowCap;
  if (!Number.isSafeInteger(rowCap) || rowCap < 1)
    throw sourceError(ErrorCodes.USAGE, `source.rowCap: expected a whole number >= 1, got ${rowCap}`);
  try {
    new URL(opts.url.replace(/\{[A-Za-z0-9_.-]+\}/g, 'x'));
  } catch {
    throw sourceError(
      ErrorCodes.USAGE,
      `source.url: expected an http(s) URL template, got ${JSON.stringify(opts.url)}`,
    );
  }
  const method = opts.method ?? DEFAULTS.http.method;
  const pagination = opts.pagination ?? { type: 'none' };
  const maxPages = opts.maxPages ?? DEFAULTS.http.maxPages;
  const limitStatuses: readonly number[] = opts.rateLimitStatuses ?? DEFAULTS.http.rateLimitStatuses;
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((url, init) => fetch(url, init));
  const label = `http ${opts.api}`;
  const inUrl = placeholders(opts.url);

  function buildRequest(params: Record<string, unknown>): { url: string; body?: string } {
    let url = fillUrl(opts.url, params);
    if (method === 'GET') {
      if (opts.queryParams ?? DEFAULTS.http.queryParams) {
        const u = new URL(url);
        for (const [k, v] of Object.entries(params)) {
          if (!inUrl.has(k) && v !== undefined && v !== null) u.searchParams.set(k, String(v));
        }
        url = u.toString();
      }
      return { url };
    }
    const body = opts.body === undefined ? params : fillTemplate(opts.body, params);
    return { url, body: JSON.stringify(body) };
  }

  async function requestPage(
    params: Record<string, unknown>,
    signal: AbortSignal,
    known: readonly string[] | undefined,
  ): Promise<{ page: Page; json: unknown }> {
    const { url, body } = buildRequest(params);
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const answer = await requestOnce(
      fetchImpl,
      label,
      url,
      { method, headers, ...(body !== undefined ? { body } : {}) },
      signal,
    );
    if (limitStatuses.includes(answer.status) || answer.status < 200 || answer.status > 299) {
      throw statusError(label, answer, limitStatuses);
    }
    const json = parseJsonBody(label, answer.text);
    return { page: toPage(label, json, opts, known), json };
  }

  async function* fetchBatch(batch: Batch, ctx: CallContext): AsyncIterable<Page> {
    const base: Record<string, unknown> = { ...(opts.params ?? {}), ...batch.params };
    let cursor: unknown;
    let received = 0;
    let known: readonly string[] | undefined;
    for (let page = 0; page < maxPages; page++) {
      const params = { ...base };
      if (pagination.type === 'offset') {
        params[pagination.offsetParam ?? 'offset'] = received;
        params[pagination.limitParam ?? 'limit'] = rowCap;
      } else if (pagination.type === 'page') {
        params[pagination.pageParam ?? 'page'] = (pagination.firstPage ?? 1) + page;
        if (pagination.sizeParam) params[pagination.sizeParam] = rowCap;
      } else if (pagination.type === 'cursor' && page > 0) {
        params[pagination.cursorParam] = cursor;
      }
      let json: unknown;
      const result = await ctx.call(
        async (signal) => {
          const r = await requestPage(params, signal, known);
          json = r.json;
          return r.page;
        },
        { page },
      );
      if (result.fields.length > 0) known = result.fields;
      received += result.items.length;
      if (page === 0 || result.items.length > 0) yield result;
      if (pagination.type === 'none' || result.items.length === 0) return;
      if (pagination.type === 'cursor') {
        cursor = readPath(json, pagination.cursorPath);
        if (cursor === undefined || cursor === null || cursor === '' || cursor === false) return;
      } else if (result.items.length < rowCap) {
        return;
      }
    }
    throw sourceError(
      ErrorCodes.BAD_PARAM,
      `${label}: batch ${batch.key} took more than ${maxPages} pages; check the pagination settings`,
    );
  }

  return { api: opts.api, rowCap, ...(opts.fields ? { fields: [...opts.fields] } : {}), fetch: fetchBatch };
}
