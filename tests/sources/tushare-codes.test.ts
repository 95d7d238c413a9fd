import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type SluiceError, isSluiceError } from '../../src/core/errors.js';
import { createTushareSource } from '../../src/sources/index.js';
import { quotaFromMessage, unescapeMessage } from '../../src/sources/tushare-codes.js';
import { fakeFetch, jsonResponse, tushareFail, tushareOk, type Reply } from '../helpers/fake-fetch.js';
import { batchOf, collect, simpleCall } from '../helpers/simple-call.js';

const TOKEN = 'tok-SECRET-0123456789abcdef';
const QUOTA = '抱歉，您每分钟最多访问该接口500次，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。';

/** Run one batch against a scripted server and return the thrown error. */
async function failure(reply: Reply): Promise<SluiceError> {
  const fake = fakeFetch([reply]);
  const source = createTushareSource({ token: TOKEN, api: 'daily', fetchImpl: fake.fetch });
  try {
    await collect(source, batchOf({ trade_date: '20240102' }), simpleCall());
  } catch (err) {
    assert.ok(isSluiceError(err), `expected a SluiceError, got ${String(err)}`);
    assert.ok(!err.message.includes(TOKEN), 'the token must not appear in the message');
    assert.ok(!JSON.stringify(err.context).includes(TOKEN));
    assert.ok(!String(err.stack).includes(TOKEN));
    return err;
  }
  assert.fail('expected the batch to fail');
}

/** ASCII-escape every non-ASCII character, as upstream's JSON does. */
function asciiEscape(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

describe('tushare answer codes', () => {
  test('40203 with the per-minute sentence is rate-limited and carries the quota', async () => {
    const err = await failure(tushareFail(40203, QUOTA));
    assert.equal(err.code, 'SLUICE_RATE_LIMITED');
    assert.equal(err.kind, 'rate-limited');
    assert.deepEqual(err.context.quota, { calls: 500, intervalMs: 60_000 });
    assert.equal(err.context.upstreamCode, 40203);
    assert.ok((err.context.retryAfterMs ?? 0) >= 50 && (err.context.retryAfterMs ?? 0) <= 60_000);
  });

  test('40203 without a quota sentence is a fatal permission error naming the API', async () => {
    const err = await failure(
      tushareFail(40203, '抱歉，您没有接口访问权限，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。'),
    );
    assert.equal(err.code, 'SLUICE_PERMISSION');
    assert.equal(err.kind, 'fatal');
    assert.match(err.message, /^tushare daily: no permission/);
  });

  test('hourly quotas are rate limits with their period; a used-up daily quota stops the run', async () => {
    const hourly = await failure(tushareFail(40203, '抱歉，您每小时最多访问该接口120次'));
    assert.equal(hourly.kind, 'rate-limited');
    assert.deepEqual(hourly.context.quota, { calls: 120, intervalMs: 3_600_000 });
    assert.equal(hourly.context.retryAfterMs, 30_000);
    const daily = await failure(tushareFail(40203, '抱歉，您每天最多访问该接口2000次'));
    assert.equal(daily.code, 'SLUICE_QUOTA_EXHAUSTED');
    assert.match(daily.message, /daily quota of 2000 calls/);
  });

  test('"没有接口访问权限" under another code is still a permission error', async () => {
    const err = await failure(tushareFail(40001, '没有接口访问权限'));
    assert.equal(err.code, 'SLUICE_PERMISSION');
  });

  test('40101 is a fatal auth error with a clear message', async () => {
    const err = await failure(tushareFail(40101, '您的token不对，请确认。'));
    assert.equal(err.code, 'SLUICE_AUTH');
    assert.equal(err.kind, 'fatal');
    assert.equal(err.message, 'tushare daily: token rejected (40101)');
  });

  test('-2001 is a fatal bad parameter error that quotes the server', async () => {
    const err = await failure(tushareFail(-2001, '参数错误: 字段 foo 不存在'));
    assert.equal(err.code, 'SLUICE_BAD_PARAM');
    assert.equal(err.kind, 'fatal');
    assert.match(err.message, /字段 foo 不存在/);
  });

  test('-1000 is retryable, and so is a transient wording under another code', async () => {
    assert.equal((await failure(tushareFail(50001, '服务器错误(数据库异常)，请稍后再试！'))).kind, 'retryable');
    assert.equal((await failure(tushareFail(-1000, '系统内部错误'))).kind, 'retryable');
  });

  test('50101 with the offset sentence is an overflow; a generic 50101 is a bad query', async () => {
    const err = await failure(tushareFail(50101, 'offset不能大于100000'));
    assert.equal(err.code, 'SLUICE_OVERFLOW');
    assert.equal(err.kind, 'overflow');
    const bad = await failure(tushareFail(50101, '查询数据失败，请确认参数！可以反馈管理员协助您排查问题'));
    assert.equal(bad.code, 'SLUICE_BAD_QUERY');
    assert.equal(bad.kind, 'rejected');
  });

  test('HTTP 429 is rate-limited with Retry-After in seconds or as a date', async () => {
    const secs = await failure(new Response('slow down', { status: 429, headers: { 'retry-after': '3' } }));
    assert.equal(secs.kind, 'rate-limited');
    assert.equal(secs.context.retryAfterMs, 3000);
    const when = new Date(Date.now() + 120_000).toUTCString();
    const dated = await failure(new Response('', { status: 429, headers: { 'retry-after': when } }));
    assert.ok((dated.context.retryAfterMs ?? 0) > 100_000 && (dated.context.retryAfterMs ?? 0) <= 120_000);
  });

  test('5xx, malformed JSON, a non-object body and a reset are retryable', async () => {
    assert.equal((await failure(new Response('oops', { status: 502 }))).kind, 'retryable');
    assert.equal((await failure(new Response('{"code":0,"data":{"fie', { status: 200 }))).kind, 'retryable');
    assert.equal((await failure(jsonResponse([1, 2]))).kind, 'retryable');
    assert.equal((await failure(jsonResponse({ code: 0, data: null }))).kind, 'retryable');
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    });
    const err = await failure(reset);
    assert.equal(err.kind, 'retryable');
    assert.match(err.message, /ECONNRESET/);
  });

  test('other HTTP statuses are fatal', async () => {
    assert.equal((await failure(new Response('no', { status: 404 }))).kind, 'fatal');
    assert.equal((await failure(new Response('no', { status: 401 }))).code, 'SLUICE_AUTH');
  });

  test('messages escaped once (on the wire) or twice are understood', async () => {
    const once = asciiEscape(JSON.stringify({ request_id: 'r', code: 40203, msg: QUOTA, data: null }));
    assert.match(once, /\\u6bcf/);
    assert.deepEqual((await failure(new Response(once))).context.quota, { calls: 500, intervalMs: 60_000 });
    const twice = JSON.stringify({ request_id: 'r', code: 40203, msg: asciiEscape(QUOTA), data: null });
    assert.match(twice, /\\\\u6bcf/);
    const err = await failure(new Response(twice));
    assert.equal(err.kind, 'rate-limited');
    assert.deepEqual(err.context.quota, { calls: 500, intervalMs: 60_000 });
  });

  test('the token never appears, even when the server or the network echoes it', async () => {
    const echoed = await failure(tushareFail(-2001, `bad request: {"token":"${TOKEN}"}`));
    assert.equal(echoed.kind, 'fatal');
    const http = await failure(new Response(`upstream saw token=${TOKEN}`, { status: 500 }));
    assert.equal(http.kind, 'retryable');
    const net = await failure(new TypeError(`connect failed for ${TOKEN}`));
    assert.equal(net.kind, 'retryable');
  });

  test('the token is sent in the body and only there', async () => {
    const fake = fakeFetch([tushareOk(['a'], [[1]])]);
    const source = createTushareSource({ token: TOKEN, api: 'daily', fetchImpl: fake.fetch });
    await collect(source, batchOf({}), simpleCall());
    const req = fake.requests[0];
    assert.equal((req.body as { token: string }).token, TOKEN);
    assert.ok(!req.url.includes(TOKEN));
    assert.ok(!JSON.stringify(req.headers).includes(TOKEN));
  });
});

describe('message helpers', () => {
  test('unescapeMessage leaves plain text alone and undoes double escaping', () => {
    assert.equal(unescapeMessage('plain \\n text'), 'plain \\n text');
    assert.equal(unescapeMessage('\\u6bcf\\u5206\\u949f'), '每分钟');
    assert.equal(unescapeMessage('\\\\u6bcf'), '每');
  });

  test('quotaFromMessage reads N and refuses other text', () => {
    assert.deepEqual(quotaFromMessage(QUOTA), { calls: 500, intervalMs: 60_000 });
    assert.deepEqual(quotaFromMessage('每分钟最多访问该接口 2 次'), { calls: 2, intervalMs: 60_000 });
    assert.equal(quotaFromMessage('没有接口访问权限'), undefined);
  });

  test('bad options are refused with the option named', () => {
    const source = createTushareSource({ token: TOKEN, api: 'daily', fetchImpl: fakeFetch([tushareOk([], [])]).fetch });
    assert.equal(source.api, 'daily');
    assert.throws(() => createTushareSource({ token: TOKEN, api: 'da ily' }), /source.api/);
    assert.throws(() => createTushareSource({ token: '', api: 'daily' }), /token is required/);
    assert.throws(() => createTushareSource({ token: TOKEN, api: 'daily', url: 'ftp://x' }), /source.url/);
  });
});
