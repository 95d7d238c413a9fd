/**
 * The Tushare protocol as the emulator speaks it: read a request body, check the token and the
 * API, and answer a page. Answers are `{ request_id, code, msg, data }`; business errors are HTTP
 * 200 with a non-zero code and a Chinese message (sent ASCII-escaped, as upstream does).
 */
import type { Dataset } from './dataset.js';
import { ParamError } from './tables.js';
import { offsetMessage } from './wordings.js';

export const CODE_OK = 0;
export const CODE_BAD_TOKEN = 40101;
export const CODE_REFUSED = 40203;
export const CODE_BAD_PARAM = -2001;
export const CODE_INTERNAL = -1000;
export const CODE_OFFSET_LIMIT = 50101;

export const MSG_BAD_TOKEN = '您的token不对，请确认。';
export const MSG_NO_PERMISSION =
  '抱歉，您没有接口访问权限，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。';
export const MSG_INTERNAL = '系统内部错误，请稍后重试。';

/** A request that passed the checks that come before rate limiting. */
export interface CallRequest {
  readonly api: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly fields: string | readonly string[] | undefined;
}

export interface Answer {
  readonly code: number;
  readonly msg: string;
  readonly data?: { fields: string[]; items: unknown[][]; has_more?: boolean };
}

export interface CheckOptions {
  readonly token: string;
  readonly deniedApis: ReadonlySet<string>;
}

/** Parse and check a request body: an Answer when it is refused, else the request. */
export function checkRequest(ds: Dataset, text: string, opts: CheckOptions): CallRequest | Answer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { code: CODE_BAD_PARAM, msg: '请求格式错误: 请求体不是有效的 JSON' };
  }
  if (body === null || typeof body !== 'object')
    return { code: CODE_BAD_PARAM, msg: '请求格式错误: 请求体应为 JSON 对象' };
  const b = body as Record<string, unknown>;
  if (typeof b.token !== 'string' || b.token !== opts.token) return { code: CODE_BAD_TOKEN, msg: MSG_BAD_TOKEN };
  const api = typeof b.api_name === 'string' ? b.api_name : '';
  if (!ds.table(api)) return { code: CODE_BAD_PARAM, msg: `接口名称错误: 不存在接口 ${JSON.stringify(api)}` };
  if (opts.deniedApis.has(api)) return { code: CODE_REFUSED, msg: MSG_NO_PERMISSION };
  const params = b.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { code: CODE_BAD_PARAM, msg: '参数错误: params 应为 JSON 对象' };
  }
  const fields = b.fields;
  if (fields !== undefined && fields !== null && typeof fields !== 'string' && !Array.isArray(fields)) {
    return { code: CODE_BAD_PARAM, msg: '参数错误: fields 应为逗号分隔的字符串' };
  }
  return { api, params: params as Record<string, unknown>, fields: (fields ?? undefined) as CallRequest['fields'] };
}

export function isAnswer(v: CallRequest | Answer): v is Answer {
  return (v as Answer).code !== undefined;
}

function intParam(params: Readonly<Record<string, unknown>>, name: string): number | undefined | 'bad' {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : 'bad';
}

export interface ServeOptions {
  /** Largest offset accepted; beyond it the answer is 50101 "offset不能大于N". */
  readonly maxOffset: number;
  /** A row cap below the table's own (per-API caps). */
  readonly cap?: number;
  /** Send `has_more` (false: never, as a server that does not implement it). @default true */
  readonly hasMore?: boolean;
}

/** Answer an admitted request with one page of data. */
export function serveRequest(ds: Dataset, req: CallRequest, opts: ServeOptions): Answer {
  const { maxOffset } = opts;
  const table = ds.table(req.api);
  if (!table) return { code: CODE_BAD_PARAM, msg: `接口名称错误: 不存在接口 ${req.api}` };
  const offset = intParam(req.params, 'offset');
  const limit = intParam(req.params, 'limit');
  if (offset === 'bad' || limit === 'bad')
    return { code: CODE_BAD_PARAM, msg: '参数错误: limit 和 offset 应为非负整数' };
  if ((offset ?? 0) > maxOffset) {
    return { code: CODE_OFFSET_LIMIT, msg: offsetMessage(maxOffset) };
  }
  try {
    const cap = Math.min(table.cap, opts.cap ?? table.cap);
    const page = ds.page(req.api, req.params, req.fields, offset ?? 0, Math.min(cap, limit || cap));
    const data = { fields: page.fields, items: page.items };
    return { code: CODE_OK, msg: '', data: opts.hasMore === false ? data : { ...data, has_more: page.hasMore } };
  } catch (err) {
    if (err instanceof ParamError) return { code: CODE_BAD_PARAM, msg: err.message };
    throw err;
  }
}

/**
 * Serialise an answer. The message's non-ASCII characters are escaped as \uXXXX (as upstream's JSON
 * is); data pages are serialised as they are (the generated data is ASCII).
 */
export function encodeAnswer(requestId: string, answer: Answer): string {
  const msg = JSON.stringify(answer.msg).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const data = answer.data ? JSON.stringify(answer.data) : 'null';
  return `{"request_id":${JSON.stringify(requestId)},"code":${answer.code},"msg":${msg},"data":${data}}`;
}
