/**
 * A scripted fetch for source tests: each call is recorded and answered by the next scripted
 * reply (a Response, a function of the request, or an error to throw).
 */
import type { FetchLike } from '../../src/sources/http-common.js';

export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type Reply = Response | Error | ((req: RecordedRequest) => Response);

export interface FakeFetch {
  readonly fetch: FetchLike;
  readonly requests: RecordedRequest[];
}

/** JSON Response helper. */
export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A Tushare answer with rows. */
export function tushareOk(fields: string[], items: unknown[][], hasMore = false): Response {
  return jsonResponse({ request_id: 'r', code: 0, msg: '', data: { fields, items, has_more: hasMore } });
}

/** A Tushare business error (HTTP 200, code != 0). */
export function tushareFail(code: number, msg: string): Response {
  return jsonResponse({ request_id: 'r', code, msg, data: null });
}

/** Answers in order; the last reply repeats when the script runs out. */
export function fakeFetch(script: Reply[]): FakeFetch {
  const requests: RecordedRequest[] = [];
  let i = 0;
  const fetch: FetchLike = async (url, init) => {
    let body: unknown = init.body;
    try {
      body = init.body === undefined ? undefined : JSON.parse(init.body);
    } catch {
      // keep the raw text
    }
    const req = { url, method: init.method, headers: init.headers, body };
    requests.push(req);
    const reply = script[Math.min(i++, script.length - 1)];
    if (reply instanceof Error) throw reply;
    const res = typeof reply === 'function' ? reply(req) : reply;
    return res.clone();
  };
  return { fetch, requests };
}
