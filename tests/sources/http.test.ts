import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSluiceError, type SluiceError } from '../../src/core/errors.js';
import { createHttpSource, parseRetryAfter, type HttpSourceOptions } from '../../src/sources/index.js';
import { batchOf, collect, simpleCall } from '../helpers/simple-call.js';

const SECRET = 'Bearer hdr-SECRET-424242';
const ALL = Array.from({ length: 23 }, (_v, i) => ({ id: i, sym: i % 2 ? 'AAA' : 'BBB', px: i * 1.5 }));
let server: Server;
let base = '';
const seen: { method: string; url: string; body: string; auth?: string }[] = [];

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => resolve(text));
  });
}

before(async () => {
  server = createServer(async (req, res) => {
    const text = await body(req);
    seen.push({ method: req.method ?? '', url: req.url ?? '', body: text, auth: req.headers.authorization });
    const u = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof value === 'string' ? value : JSON.stringify(value));
    };
    const q = Object.fromEntries(u.searchParams);
    switch (u.pathname) {
      case '/offset': {
        const off = Number(q.offset);
        const lim = Number(q.limit);
        return send(200, { result: { rows: ALL.slice(off, off + lim) } });
      }
      case '/page': {
        const size = 5;
        const page = Number(q.p);
        return send(200, { items: ALL.slice((page - 1) * size, page * size) });
      }
      case '/cursor': {
        const at = q.after === undefined ? 0 : Number(q.after);
        const next = at + 7 < ALL.length ? at + 7 : null;
        return send(200, { data: ALL.slice(at, at + 7), next });
      }
      case '/arrays':
        return send(200, { cols: ['id', 'px'], rows: ALL.slice(0, 4).map((r) => [r.id, r.px]) });
      case '/limited':
        return send(429, 'too many', { 'retry-after': '2' });
      case '/busy':
        return send(503, 'busy');
      case '/custom-limit':
        return send(420, { error: 'calm down' }, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
      case '/echo-secret':
        return send(400, `bad auth header ${req.headers.authorization ?? ''}`);
      case '/post': {
        const b = JSON.parse(text) as { query: { sym: string; from: string; n: number } };
        return send(200, ALL.filter((r) => r.sym === b.query.sym).slice(0, b.query.n));
      }
      default: {
        const m = /^\/sym\/([A-Z]+)$/.exec(u.pathname);
        if (m)
          return send(
            200,
            ALL.filter((r) => r.sym === m[1]),
          );
        return send(404, 'nope');
      }
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function run(opts: Omit<HttpSourceOptions, 'api'>, params: Record<string, unknown> = {}) {
  const source = createHttpSource({ api: 'test', ...opts });
  return collect(source, batchOf(params), simpleCall());
}

async function failure(opts: Omit<HttpSourceOptions, 'api'>): Promise<SluiceError> {
  try {
    await run(opts);
  } catch (err) {
    assert.ok(isSluiceError(err));
    return err;
  }
  assert.fail('expected a failure');
}

describe('generic HTTP source', () => {
  test('offset pagination over object rows at a dotted path stops on the short page', async () => {
    const pages = await run({
      url: `${base}/offset`,
      rowsPath: 'result.rows',
      rowCap: 10,
      pagination: { type: 'offset' },
    });
    assert.deepEqual(
      pages.map((p) => p.items.length),
      [10, 10, 3],
    );
    assert.deepEqual(pages[0].fields, ['id', 'sym', 'px']);
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((r) => r[0])),
      ALL.map((r) => r.id),
    );
  });

  test('page-number pagination with a first page of 1', async () => {
    const pages = await run({
      url: `${base}/page`,
      rowsPath: 'items',
      rowCap: 5,
      pagination: { type: 'page', pageParam: 'p' },
      fields: ['id'],
    });
    assert.deepEqual(
      pages.flatMap((p) => p.items),
      ALL.map((r) => [r.id]),
    );
    assert.ok(seen.some((s) => s.url.includes('p=5')));
  });

  test('cursor pagination follows the cursor until it is null', async () => {
    const pages = await run({
      url: `${base}/cursor`,
      rowsPath: 'data',
      rowCap: 7,
      pagination: { type: 'cursor', cursorPath: 'next', cursorParam: 'after' },
    });
    assert.equal(pages.length, 4);
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((r) => r[0])),
      ALL.map((r) => r.id),
    );
  });

  test('array rows take their names from a fields path', async () => {
    const pages = await run({ url: `${base}/arrays`, rowsPath: 'rows', fieldsPath: 'cols' });
    assert.deepEqual(pages[0].fields, ['id', 'px']);
    assert.deepEqual(pages[0].items[3], [3, 4.5]);
  });

  test('URL placeholders are filled and the other params go to the query string', async () => {
    const pages = await run({ url: `${base}/sym/{sym}` }, { sym: 'AAA', extra: 'x y' });
    assert.equal(pages[0].items.length, 11);
    assert.ok(seen.some((s) => s.url === '/sym/AAA?extra=x+y'));
  });

  test('POST fills a body template, keeping the types of whole placeholders', async () => {
    const pages = await run(
      {
        url: `${base}/post`,
        method: 'POST',
        body: { query: { sym: '{sym}', from: 'since {day}', n: '{n}' } },
        headers: { authorization: SECRET },
      },
      { sym: 'BBB', day: '20240101', n: 3 },
    );
    assert.equal(pages[0].items.length, 3);
    const last = seen[seen.length - 1];
    assert.deepEqual(JSON.parse(last.body), { query: { sym: 'BBB', from: 'since 20240101', n: 3 } });
    assert.equal(last.auth, SECRET);
  });

  test('a missing placeholder value is a fatal error before any request', async () => {
    const before = seen.length;
    const err = await failure({ url: `${base}/sym/{sym}` });
    assert.equal(err.kind, 'fatal');
    assert.equal(seen.length, before);
  });

  test('429 is rate-limited with Retry-After seconds; a custom status with an HTTP date', async () => {
    const err = await failure({ url: `${base}/limited` });
    assert.equal(err.kind, 'rate-limited');
    assert.equal(err.context.retryAfterMs, 2000);
    const custom = await failure({ url: `${base}/custom-limit`, rateLimitStatuses: [420, 429] });
    assert.equal(custom.kind, 'rate-limited');
    assert.ok((custom.context.retryAfterMs ?? 0) > 20_000);
    assert.equal((await failure({ url: `${base}/custom-limit` })).kind, 'fatal');
  });

  test('5xx is retryable, 404 fatal, a refused connection retryable', async () => {
    assert.equal((await failure({ url: `${base}/busy` })).kind, 'retryable');
    assert.equal((await failure({ url: `${base}/missing` })).kind, 'fatal');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    assert.equal((await failure({ url: `http://127.0.0.1:${port}/x` })).kind, 'retryable');
  });

  test('a secret header echoed by the server never reaches the message', async () => {
    const err = await failure({ url: `${base}/echo-secret`, headers: { authorization: SECRET } });
    assert.equal(err.kind, 'fatal');
    assert.ok(!err.message.includes('hdr-SECRET-424242'), err.message);
    assert.match(err.message, /\*\*\*/);
  });
});

describe('parseRetryAfter', () => {
  test('reads seconds and HTTP dates, ignores garbage', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});
