/**
 * Tushare answers -> SluiceError. The server answers HTTP 200 with `code != 0` for business errors;
 * the message is Chinese, sometimes escaped twice (`\\u6bcf...`), and the same sentence has been seen
 * under several codes. So the message is read first and the code only decides what no known
 * sentence explains (see classifyAnswer and the classification table in the README).
 */
import { ErrorCodes, type Quota, type SluiceError } from '../core/errors.js';
import { excerpt, sourceError } from './http-common.js';
import { tushareApi } from './tushare-catalogue.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What an answer means, whatever code came with it. */
export type AnswerClass =
  /** Too many calls for the quota of a minute or an hour (`quota` when the sentence names it). */
  | { readonly kind: 'rate-limit'; readonly quota?: Quota }
  /** The quota of a day is used up: nothing more until it resets. */
  | { readonly kind: 'quota-exhausted'; readonly quota: Quota }
  | { readonly kind: 'permission' }
  | { readonly kind: 'auth' }
  /** "offset不能大于100000": the window holds more rows than the API pages to. */
  | { readonly kind: 'offset-limit' }
  /** "查询数据失败，请确认参数" and an unexplained 50101: this query fails; splitting will not help. */
  | { readonly kind: 'bad-query' }
  /** Server trouble that passes ("系统内部错误", "请稍后再试"). */
  | { readonly kind: 'transient' }
  | { readonly kind: 'bad-param' };

const PERIOD_MS: Record<string, number> = {
  秒: 1000,
  分钟: MINUTE_MS,
  分: MINUTE_MS,
  小时: HOUR_MS,
  天: DAY_MS,
  日: DAY_MS,
};

/** "频率超限(300次/分钟)" (current wording) and "每分钟最多访问该接口500次" (older ones). */
const RATE_SENTENCES: readonly RegExp[] = [
  /频率超限\s*[(（]\s*(?<n>\d+)\s*次\s*[/／每]\s*(?<p>秒|分钟|分|小时|天|日)\s*[)）]/,
  /每\s*(?<p>秒|分钟|分|小时|天|日)\s*最多(?:访问|调用)(?:该|此)?接口\s*(?<n>\d+)\s*次/,
];
/** A rate refusal that names no quota. */
const RATE_WORDS = /频率超限|访问(?:过于)?频繁|请求(?:过于)?频繁|超过(?:访问|调用)?频率|频次超限/;
const PERMISSION_WORDS = /没有.{0,16}权限|无权限|权限不足|积分不足/;
const AUTH_WORDS = /token\s*(?:不对|无效|错误|失效|过期|不存在)|无效的?\s*token/i;
const OFFSET_WORDS = /offset\s*(?:不能大于|超过|超出)/i;
const BAD_QUERY_WORDS = /查询数据失败/;
const TRANSIENT_WORDS =
  /系统内部错误|服务器错误|数据库异常|系统未知错误|未知错误|请稍后(?:再试|重试)|系统繁忙|服务繁忙|服务暂不可用|网络异常|超时/;

const ESCAPED_UNIT = /\\u([0-9a-fA-F]{4})/g;

/**
 * Undo literal `\uXXXX` escapes that survived JSON parsing (a message escaped twice). Applied a few
 * times so that triple escaping is handled too; text without escapes is returned unchanged.
 */
export function unescapeMessage(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && out.includes('\\u'); i++) {
    const next = out
      .replace(/\\\\u/g, '\\u')
      .replace(ESCAPED_UNIT, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === out) break;
    out = next;
  }
  return out;
}

/** The quota a rate-limit sentence names (calls per period), or undefined. */
export function quotaFromMessage(message: string): Quota | undefined {
  for (const re of RATE_SENTENCES) {
    const m = re.exec(message);
    const n = Number(m?.groups?.n);
    const intervalMs = PERIOD_MS[m?.groups?.p ?? ''];
    if (m && Number.isSafeInteger(n) && n > 0 && intervalMs) return { calls: n, intervalMs };
  }
  return undefined;
}

/** What a Tushare answer means: the message first, the code for what no sentence explains. */
export function classifyAnswer(code: number, rawMessage: string): AnswerClass {
  const msg = unescapeMessage(rawMessage ?? '');
  const quota = quotaFromMessage(msg);
  if (quota) return quota.intervalMs >= DAY_MS ? { kind: 'quota-exhausted', quota } : { kind: 'rate-limit', quota };
  if (RATE_WORDS.test(msg)) return { kind: 'rate-limit' };
  if (PERMISSION_WORDS.test(msg)) return { kind: 'permission' };
  if (AUTH_WORDS.test(msg)) return { kind: 'auth' };
  if (OFFSET_WORDS.test(msg)) return { kind: 'offset-limit' };
  if (BAD_QUERY_WORDS.test(msg)) return { kind: 'bad-query' };
  if (TRANSIENT_WORDS.test(msg)) return { kind: 'transient' };
  switch (code) {
    case 40203:
    case 2002:
      return { kind: 'permission' };
    case 40101:
      return { kind: 'auth' };
    case -1000:
      return { kind: 'transient' };
    case 50101:
      return { kind: 'bad-query' };
    default:
      return { kind: 'bad-param' };
  }
}

/** Wait hint after a quota refusal: one slot's worth of the quota, at least 50 ms. */
export function retryAfterForQuota(quota: Quota): number {
  return Math.max(50, Math.ceil(quota.intervalMs / quota.calls));
}

/** Tushare's daily quotas reset at midnight China time (UTC+8): the next such midnight after `nowMs`. */
export function nextChinaMidnight(nowMs: number): number {
  const shift = 8 * HOUR_MS;
  return (Math.floor((nowMs + shift) / DAY_MS) + 1) * DAY_MS - shift;
}

/** `2024-05-02T00:00+08:00`: a time as China's clock shows it. */
export function chinaTime(ms: number): string {
  return `${new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 16)}+08:00`;
}

/** Margin after a daily reset before calling again (the server's clock may run behind ours). */
export const RESET_MARGIN_MS = 30_000;

function per(quota: Quota): string {
  if (quota.intervalMs === MINUTE_MS) return `${quota.calls} calls/minute`;
  if (quota.intervalMs === HOUR_MS) return `${quota.calls} calls/hour`;
  if (quota.intervalMs === DAY_MS) return `${quota.calls} calls/day`;
  return `${quota.calls} calls per ${quota.intervalMs} ms`;
}

function needs(api: string): string {
  const facts = tushareApi(api);
  if (facts?.points === undefined) return '';
  return `; the catalogue says ${api} needs ${facts.points} points${facts.unconfirmed.includes('points') ? ' (unconfirmed)' : ''}`;
}

/**
 * Map a non-zero Tushare business code and its message to a classified error. `api` names the
 * interface in the message; the token never appears (messages are scrubbed and excerpted).
 * `nowMs` (epoch ms) dates a daily quota's reset.
 */
export function tushareError(api: string, code: number, rawMessage: string, nowMs = Date.now()): SluiceError {
  const msg = unescapeMessage(rawMessage ?? '');
  const said = msg ? `: ${excerpt(msg)}` : '';
  const label = `tushare ${api}`;
  const ctx = { upstreamCode: code };
  const c = classifyAnswer(code, msg);
  switch (c.kind) {
    case 'rate-limit':
      return c.quota
        ? sourceError(ErrorCodes.RATE_LIMITED, `${label}: rate limited, quota ${per(c.quota)} (${code})`, {
            ...ctx,
            quota: c.quota,
            retryAfterMs: retryAfterForQuota(c.quota),
          })
        : sourceError(ErrorCodes.RATE_LIMITED, `${label}: rate limited (${code})${said}`, ctx);
    case 'quota-exhausted': {
      const reset = nextChinaMidnight(nowMs);
      const resetAt = chinaTime(reset);
      return sourceError(
        ErrorCodes.QUOTA_EXHAUSTED,
        `${label}: the daily quota of ${c.quota.calls} calls is used up (${code}); it resets at midnight China time ` +
          `(UTC+8), ${resetAt} (${new Date(reset).toISOString()}): run again with --resume then, ` +
          'or set execution.waitForQuotaReset: true to wait',
        { ...ctx, quota: c.quota, resetAt, retryAfterMs: reset - nowMs + RESET_MARGIN_MS },
      );
    }
    case 'permission':
      return sourceError(
        ErrorCodes.PERMISSION,
        `${label}: no permission for this API (${code})${needs(api)}${said}`,
        ctx,
      );
    case 'auth':
      return sourceError(ErrorCodes.AUTH, `${label}: token rejected (${code})`, ctx);
    case 'offset-limit':
      return sourceError(
        ErrorCodes.OVERFLOW,
        `${label}: offset limit reached (${code}); the window must be split`,
        ctx,
      );
    case 'bad-query':
      return sourceError(ErrorCodes.BAD_QUERY, `${label}: the server refused this query (${code})${said}`, ctx);
    case 'transient':
      return sourceError(ErrorCodes.RETRYABLE, `${label}: server trouble (${code})${said}`, ctx);
    case 'bad-param':
      return sourceError(
        ErrorCodes.BAD_PARAM,
        code === -2001
          ? `${label}: bad parameter or field (-2001)${said}`
          : `${label}: unexpected answer code ${code}${said}`,
        ctx,
      );
  }
}
