/**
 * Tushare business codes -> SluiceError. The server answers HTTP 200 with `code != 0` for business
 * errors; the message is Chinese and sometimes arrives escaped twice (`\\u6bcf...`).
 */
import { ErrorCodes, type SluiceError } from '../core/errors.js';
import { excerpt, sourceError } from './http-common.js';

/** "每分钟最多访问该接口N次": the quota sentence of a 40203 answer. */
const QUOTA_PATTERN = /每分钟最多访问该接口\s*(\d+)\s*次/;
/** "每小时最多访问该接口N次" / "每天最多访问该接口N次": hourly and daily quotas. */
const HOURLY_PATTERN = /每小时最多访问该接口\s*(\d+)\s*次/;
const DAILY_PATTERN = /每天最多访问该接口\s*(\d+)\s*次/;
/** "没有接口访问权限" (and the shorter "没有权限"): the permission sentence. */
const NO_PERMISSION_PATTERN = /没有(接口访问)?权限/;
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

/** The per-minute quota named in a Tushare message, or undefined. */
export function quotaFromMessage(message: string): number | undefined {
  const m = QUOTA_PATTERN.exec(message);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Wait hint after a quota refusal: one slot's worth of the quota, at least 50 ms. */
export function retryAfterForQuota(perMinute: number): number {
  return Math.max(50, Math.ceil(60_000 / perMinute));
}

/**
 * Map a non-zero Tushare business code and its message to a classified error. `api` names the
 * interface in the message; the token never appears (messages are scrubbed and excerpted).
 */
export function tushareError(api: string, code: number, rawMessage: string): SluiceError {
  const msg = unescapeMessage(rawMessage ?? '');
  const said = msg ? `: ${excerpt(msg)}` : '';
  const label = `tushare ${api}`;
  const ctx = { upstreamCode: code };
  switch (code) {
    case 40203: {
      const quota = quotaFromMessage(msg);
      if (quota !== undefined && !NO_PERMISSION_PATTERN.test(msg)) {
        return sourceError(ErrorCodes.RATE_LIMITED, `${label}: rate limited, quota ${quota} calls/minute (40203)`, {
          ...ctx,
          quotaPerMinute: quota,
          retryAfterMs: retryAfterForQuota(quota),
        });
      }
      const hourly = HOURLY_PATTERN.exec(msg);
      if (hourly && Number(hourly[1]) > 0) {
        const n = Number(hourly[1]);
        return sourceError(ErrorCodes.RATE_LIMITED, `${label}: rate limited, quota ${n} calls/hour (40203)`, {
          ...ctx,
          quotaPerMinute: n / 60,
          retryAfterMs: Math.ceil(3_600_000 / n),
        });
      }
      const daily = DAILY_PATTERN.exec(msg);
      if (daily) {
        return sourceError(
          ErrorCodes.PERMISSION,
          `${label}: the daily quota of ${daily[1]} calls is used up (40203); try again tomorrow`,
          ctx,
        );
      }
      return sourceError(ErrorCodes.PERMISSION, `${label}: no permission for this API (40203)${said}`, ctx);
    }
    case 40101:
      return sourceError(ErrorCodes.AUTH, `${label}: token rejected (40101)`, ctx);
    case -2001:
      return sourceError(ErrorCodes.BAD_PARAM, `${label}: bad parameter or field (-2001)${said}`, ctx);
    case -1000:
      return sourceError(ErrorCodes.RETRYABLE, `${label}: server internal error (-1000)${said}`, ctx);
    case 50101:
      return sourceError(ErrorCodes.OVERFLOW, `${label}: offset limit reached (50101); the window must be split`, ctx);
    default:
      if (NO_PERMISSION_PATTERN.test(msg)) {
        return sourceError(ErrorCodes.PERMISSION, `${label}: no permission for this API (${code})${said}`, ctx);
      }
      return sourceError(ErrorCodes.BAD_PARAM, `${label}: unexpected answer code ${code}${said}`, ctx);
  }
}
