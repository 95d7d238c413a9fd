/**
 * What the emulator says when it refuses, in the wordings the real server has been seen to use
 * (see the classification table in the README): rate limits in the current wording ("频率超限(N次/分钟)")
 * or the classic one ("每分钟最多访问该接口N次"), a used-up daily quota, the generic 50101, and
 * transient server trouble under codes other than -1000.
 */
import type { RateSpec } from './limits.js';

export type QuotaWording = 'current' | 'classic';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** How a spec is named: per day or hour when its interval is one, else per minute (rounded, >= 1). */
function named(spec: RateSpec): { n: number; unit: 'minute' | 'hour' | 'day' } {
  const interval = spec.intervalMs ?? 60_000;
  if (interval === DAY_MS) return { n: spec.calls, unit: 'day' };
  if (interval === HOUR_MS) return { n: spec.calls, unit: 'hour' };
  return { n: Math.max(1, Math.round((spec.calls * 60_000) / interval)), unit: 'minute' };
}

const CURRENT_UNIT = { minute: '分钟', hour: '小时', day: '天' } as const;
const CLASSIC_UNIT = { minute: '分钟', hour: '小时', day: '天' } as const;

/** The refusal of a call over `spec` for `api`. */
export function rateMessage(api: string, spec: RateSpec, wording: QuotaWording = 'current'): string {
  const { n, unit } = named(spec);
  return wording === 'current'
    ? `抱歉，您访问接口(${api})频率超限(${n}次/${CURRENT_UNIT[unit]})，具体频次详情：https://tushare.pro/document/1?doc_id=290。`
    : `抱歉，您每${CLASSIC_UNIT[unit]}最多访问该接口${n}次，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。`;
}

/** The generic 50101: the query failed (not the offset limit). */
export const MSG_BAD_QUERY = '查询数据失败，请确认参数！可以反馈管理员协助您排查问题';

/** The offset limit, as alphaHome documents the real answer. */
export function offsetMessage(maxOffset: number): string {
  return `offset不能大于${maxOffset}`;
}

/** Transient trouble under codes other than -1000 (drawn in turn by the `transient` fault). */
export const TRANSIENT_ANSWERS: readonly { readonly code: number; readonly msg: string }[] = [
  { code: 50001, msg: '系统内部错误' },
  { code: -1, msg: '服务器错误(数据库异常)，请稍后再试！' },
  { code: 2001, msg: '系统未知错误，请稍后重试' },
  { code: 40203, msg: '服务器错误(数据库异常)，请稍后再试！' },
];

/** What the emulator answers when a required parameter is missing (the real wording is not public). */
export function missingParamMessage(param: string): string {
  return `必填参数${param}不能为空`;
}
