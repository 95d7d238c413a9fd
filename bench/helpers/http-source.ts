/**
 * A minimal HTTP source for the bench: one GET per batch; 429 -> rate-limited (with the server's
 * Retry-After-Ms hint), 5xx -> retryable. `httpCall` is the same request the baselines use.
 */
import type { Source, CallContext } from '../../src/core/source.js';
import type { Batch, Page } from '../../src/core/types.js';
import { ErrorCodes, SluiceError } from '../../src/core/errors.js';
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export class RateLimitedHttp extends Error {
  constructor(readonly retryAfterMs: number) {
    super('HTTP 429');
  }
}

/** One GET; resolves to a page, rejects with RateLimitedHttp on 429. */
export function httpCall(url: string, signal?: AbortSignal): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 429) return reject(new RateLimitedHttp(Number(res.headers['retry-after-ms'] ?? 1000)));
        if ((res.statusCode ?? 500) >= 500) return reject(new Error(`HTTP ${res.statusCode}`));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: Page };
        resolve(body.data);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export class HttpSource implements Source {
  readonly api = 'bench_api';
  readonly rowCap = 1000;

  constructor(private readonly url: string) {}

  async *fetch(_batch: Batch, ctx: CallContext): AsyncIterable<Page> {
    yield await ctx.call(
      async (signal) => {
        try {
          return await httpCall(this.url, signal);
        } catch (e) {
          if (e instanceof RateLimitedHttp) {
            throw new SluiceError(ErrorCodes.RATE_LIMITED, 'HTTP 429', {
              retryAfterMs: e.retryAfterMs,
              upstreamCode: 429,
            });
          }
          throw e;
        }
      },
      { page: 0 },
    );
  }
}
