/**
 * Every Tushare answer users have reported, with the code it came with, and what it means: the
 * message decides, the code only where no sentence does. One row per (message, code) pair.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAnswer, tushareError, type AnswerClass } from '../../src/sources/tushare-codes.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const DETAILS = '具体频次详情：https://tushare.pro/document/1?doc_id=290。';
const RIGHTS = '权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。';

type Row = readonly [message: string, code: number, expected: AnswerClass];

const rate = (calls: number, intervalMs: number): AnswerClass => ({ kind: 'rate-limit', quota: { calls, intervalMs } });
const daily = (calls: number): AnswerClass => ({ kind: 'quota-exhausted', quota: { calls, intervalMs: DAY } });

const TABLE: readonly Row[] = [
  // the current wording: per minute, hour, day, under 40203 and the codes fixtures show
  [`抱歉，您访问接口(daily_basic)频率超限(1次/分钟)，${DETAILS}`, 40203, rate(1, MIN)],
  [`抱歉，您访问接口(daily)频率超限(300次/分钟)，${DETAILS}`, 40203, rate(300, MIN)],
  [`抱歉，您访问接口(stock_basic)频率超限(10次/小时)，${DETAILS}`, 40203, rate(10, HOUR)],
  [`抱歉，您访问接口(daily)频率超限(250000次/天)，${DETAILS}`, 40203, daily(250000)],
  [`抱歉，您访问接口(daily)频率超限(300次/分钟)，${DETAILS}`, -2001, rate(300, MIN)],
  [`抱歉，您访问接口(daily)频率超限(300次/分钟)，${DETAILS}`, -2002, rate(300, MIN)],
  [`抱歉，您访问接口(daily)频率超限（300次/分钟）`, 40203, rate(300, MIN)],
  // the older per-minute / hour / day wordings
  [`抱歉，您每分钟最多访问该接口500次，${RIGHTS}`, 40203, rate(500, MIN)],
  [`抱歉，您每分钟最多访问该接口500次，${RIGHTS}`, -2001, rate(500, MIN)],
  [`抱歉，您每分钟最多访问该接口500次，${RIGHTS}`, -2002, rate(500, MIN)],
  ['抱歉，您每小时最多访问该接口1次', 40203, rate(1, HOUR)],
  ['抱歉，您每小时最多访问该接口1次', -2001, rate(1, HOUR)],
  ['抱歉，您每天最多访问该接口2次', 40203, daily(2)],
  ['抱歉，您每天最多访问该接口2次', -2002, daily(2)],
  // 2018's wording, and a code-less variant
  ['抱歉，您每分最多访问该接口80次', 40203, rate(80, MIN)],
  ['抱歉，您每分最多访问该接口80次', 0, rate(80, MIN)],
  // a rate refusal that names no quota
  ['抱歉，您的访问频率超限，请稍后再试', 40203, { kind: 'rate-limit' }],
  // no permission, whatever the code
  ['抱歉，您没有访问该接口的权限', 40203, { kind: 'permission' }],
  ['抱歉，您没有访问该接口的权限', -2001, { kind: 'permission' }],
  ['您没有接口(fund_daily)访问权限', 40203, { kind: 'permission' }],
  ['您没有接口(fund_daily)访问权限', 2002, { kind: 'permission' }],
  ['抱歉，您没有权限访问该接口', -2001, { kind: 'permission' }],
  ['抱歉，您没有权限访问该接口', 2002, { kind: 'permission' }],
  [`抱歉，您没有接口访问权限，${RIGHTS}`, 40203, { kind: 'permission' }],
  ['', 40203, { kind: 'permission' }],
  ['', 2002, { kind: 'permission' }],
  // the offset limit (split the window) and a generic 50101 (a bad query: fail once, no split)
  ['offset不能大于100000', 50101, { kind: 'offset-limit' }],
  ['offset 超过上限 100000，请缩小查询范围。', 50101, { kind: 'offset-limit' }],
  ['查询数据失败，请确认参数！可以反馈管理员协助您排查问题', 50101, { kind: 'bad-query' }],
  ['查询数据失败，请确认参数！可以反馈管理员协助您排查问题', -2001, { kind: 'bad-query' }],
  ['', 50101, { kind: 'bad-query' }],
  // transient server trouble, whatever the code
  ['系统内部错误', -1000, { kind: 'transient' }],
  ['系统内部错误', 50001, { kind: 'transient' }],
  ['服务器错误(数据库异常)，请稍后再试！', -1, { kind: 'transient' }],
  ['服务器错误(数据库异常)，请稍后再试！', 40203, { kind: 'transient' }],
  ['系统未知错误，请联系管理员', 2001, { kind: 'transient' }],
  ['系统内部错误，请稍后重试。', -2001, { kind: 'transient' }],
  ['', -1000, { kind: 'transient' }],
  // the token
  ['您的token不对，请确认。', 40101, { kind: 'auth' }],
  ['您的token不对，请确认。', -2001, { kind: 'auth' }],
  ['', 40101, { kind: 'auth' }],
  // a bad parameter or field, and codes nobody explains
  ['参数错误: 字段 foo 不存在', -2001, { kind: 'bad-param' }],
  ['必填参数ts_code缺失', -2001, { kind: 'bad-param' }],
  ['something new', 12345, { kind: 'bad-param' }],
];

/** What Sluice does with each class (the README's table). */
const ACTION: Record<AnswerClass['kind'], { code: string; kind: string | undefined }> = {
  'rate-limit': { code: 'SLUICE_RATE_LIMITED', kind: 'rate-limited' },
  'quota-exhausted': { code: 'SLUICE_QUOTA_EXHAUSTED', kind: 'fatal' },
  permission: { code: 'SLUICE_PERMISSION', kind: 'fatal' },
  auth: { code: 'SLUICE_AUTH', kind: 'fatal' },
  'offset-limit': { code: 'SLUICE_OVERFLOW', kind: 'overflow' },
  'bad-query': { code: 'SLUICE_BAD_QUERY', kind: 'rejected' },
  transient: { code: 'SLUICE_RETRYABLE', kind: 'retryable' },
  'bad-param': { code: 'SLUICE_BAD_PARAM', kind: 'fatal' },
};

/** ASCII-escape every non-ASCII character, once or twice, as upstream's JSON sometimes does. */
function escaped(text: string, times: number): string {
  let out = text;
  for (let i = 0; i < times; i++)
    out = out.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return out;
}

describe('every reported Tushare answer is classified by its message first', () => {
  for (const [message, code, expected] of TABLE) {
    test(`${code} ${JSON.stringify(message.slice(0, 40))} -> ${expected.kind}`, () => {
      assert.deepEqual(classifyAnswer(code, message), expected);
      // the same message escaped twice means the same
      assert.deepEqual(classifyAnswer(code, escaped(message, 1)), expected);
      const err = tushareError('daily', code, message, Date.UTC(2024, 4, 1, 10, 0));
      assert.equal(err.code, ACTION[expected.kind].code);
      assert.equal(err.kind, ACTION[expected.kind].kind);
      assert.equal(err.context.upstreamCode, code);
      if ('quota' in expected && expected.quota) assert.deepEqual(err.context.quota, expected.quota);
    });
  }
});

describe('what each class carries', () => {
  test('a rate limit waits one slot of its quota: 1/hour an hour, 500/minute 120 ms', () => {
    assert.equal(tushareError('daily', 40203, '抱歉，您每小时最多访问该接口1次').context.retryAfterMs, HOUR);
    assert.equal(tushareError('daily', 40203, '抱歉，您每分钟最多访问该接口500次').context.retryAfterMs, 120);
  });

  test('a used-up daily quota names the reset: midnight China time (UTC+8)', () => {
    const now = Date.UTC(2024, 4, 1, 10, 0); // 18:00 in China
    const err = tushareError('daily', 40203, '抱歉，您每天最多访问该接口2次', now);
    assert.equal(err.context.resetAt, '2024-05-02T00:00+08:00');
    assert.match(err.message, /midnight China time \(UTC\+8\), 2024-05-02T00:00\+08:00 \(2024-05-01T16:00:00.000Z\)/);
    assert.match(err.message, /--resume/);
    assert.equal(err.context.retryAfterMs, 6 * HOUR + 30_000);
    // just after midnight in China (16:30 UTC) the next reset is a day later
    const late = tushareError('daily', 40203, '抱歉，您每天最多访问该接口2次', Date.UTC(2024, 4, 1, 16, 30));
    assert.equal(late.context.resetAt, '2024-05-03T00:00+08:00');
  });

  test('a permission answer names the API and the points the catalogue says it needs', () => {
    const err = tushareError('fina_indicator', 40203, '抱歉，您没有访问该接口的权限');
    assert.match(
      err.message,
      /^tushare fina_indicator: no permission for this API \(40203\); the catalogue says fina_indicator needs 2000 points/,
    );
    assert.match(err.message, /没有访问该接口的权限/);
    assert.doesNotMatch(tushareError('nope_api', 40203, '').message, /points/);
  });

  test("a bad query carries the server's message", () => {
    const err = tushareError('daily', 50101, '查询数据失败，请确认参数！可以反馈管理员协助您排查问题');
    assert.match(err.message, /refused this query \(50101\): 查询数据失败/);
  });
});
