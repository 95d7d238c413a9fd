/**
 * Plumbing shared by the HTTP-based sources: one request with failures classified as SluiceErrors,
 * Retry-After parsing, and scrubbed messages. Nothing here ever puts a request body, a header or a
 * raw upstream error text into a message without passing it through `scrub`.
 */
import { ErrorCodes, SluiceError, isSluiceError, type ErrorCode } from '../core/errors.js';
import { scrub } from '../core/secrets.js';

/** The subset of `fetch` the sources use (injectable for tests). */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
  },
) => Promise<Response>;

/** What came back from one request that reached the server and returned a body. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Longest excerpt of an upstream body or error echoed in a message. */
const EXCERPT_CHARS = 120;

/** A short, scrubbed, single-line excerpt of untrusted text. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const cut = line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}...` : line;
  return scrub(cut);
}

/**
 * Retry-After as milliseconds: either delta-seconds or an HTTP date. Undefined when absent or
 * unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Build a SluiceError whose message is scrubbed of every registered secret. */
export function sourceError(code: ErrorCode, message: string, context: SluiceError['context'] = {}): SluiceError {
  return new SluiceError(code, scrub(message), context);
}

/**
 * Perform one HTTP request and read the whole body. Network failures (reset, refused, DNS, body
 * cut short) become SLUICE_RETRYABLE; an aborted signal re-throws the signal's reason when it is a
 * SluiceError (so the executor sees its own timeout/cancel), else a retryable error.
 */
export async function requestOnce(
  fetchImpl: FetchLike,
  label: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  signal: AbortSignal,
): Promise<RawAnswer> {
  try {
    const res = await fetchImpl(url, { ...init, signal });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  } catch (err) {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      if (isSluiceError(reason)) throw reason;
      throw sourceError(ErrorCodes.RETRYABLE, `${label}: request aborted (timeout or cancel)`);
    }
    if (isSluiceError(err)) throw err;
    throw sourceError(ErrorCodes.RETRYABLE, `${label}: network error: ${describeNetworkError(err)}`);
  }
}

/** A short description of a fetch failure: the error's code and message, and its cause's. */
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return excerpt(String(err));
  const parts = [err.message];
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code} ${cause.message}` : cause.message);
  }
  return excerpt(parts.join(': '));
}

/**
 * Classify a non-2xx HTTP status. `rateLimitStatuses` (default [429]) are rate-limited with the
 * Retry-After hint; 5xx, 408 and 425 are retryable; 401 is an auth failure, 403 a permission
 * failure, any other 4xx a fatal bad request.
 */
export function statusError(
  label: string,
  answer: RawAnswer,
  rateLimitStatuses: readonly number[] = [429],
): SluiceError {
  const { status } = answer;
  const detail = answer.text ? `: ${excerpt(answer.text)}` : '';
  if (rateLimitStatuses.includes(status)) {
    const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'));
    return sourceError(ErrorCodes.RATE_LIMITED, `${label}: rate limited (HTTP ${status})`, {
      upstreamCode: status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 500 || status === 408 || status === 425) {
    return sourceError(ErrorCodes.RETRYABLE, `${label}: server error (HTTP ${status})${detail}`, {
      upstreamCode: status,
    });
  }
  if (status === 401)
    return sourceError(ErrorCodes.AUTH, `${label}: unauthorized (HTTP 401)${detail}`, { upstreamCode: status });
  if (status === 403)
    return sourceError(ErrorCodes.PERMISSION, `${label}: forbidden (HTTP 403)${detail}`, { upstreamCode: status });
  return sourceError(ErrorCodes.BAD_PARAM, `${label}: request refused (HTTP ${status})${detail}`, {
    upstreamCode: status,
  });
}

/** Parse a JSON body or throw SLUICE_RETRYABLE (a cut or garbled body is worth another try). */
export function parseJsonBody(label: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw sourceError(ErrorCodes.RETRYABLE, `${label}: malformed JSON in the response (${text.length} bytes)`);
  }
}

/** Read a dotted path (`data.items`, `result.0.rows`); '' returns the value itself. */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
