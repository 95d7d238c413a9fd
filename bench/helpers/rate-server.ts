/**
 * A tiny loopback HTTP server that enforces a sliding-window quota: at most `calls` accepted
 * requests in any `intervalMs`. Refused requests get HTTP 429 with a `Retry-After-Ms` header (ms
 * until the oldest accepted request leaves the window) and do not count against the quota.
 * It records accepted arrival times and counts refusals, for the executor bench.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RateServer {
  readonly url: string;
  readonly accepted: number[];
  rejected: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startRateServer(calls: number, intervalMs: number): Promise<RateServer> {
  const accepted: number[] = [];
  const state = { rejected: 0 };
  const server: Server = createServer((req, res) => {
    const now = performance.now();
    // accepted is sorted; count the ones inside (now - intervalMs, now]
    let i = accepted.length - 1;
    let inWindow = 0;
    while (i >= 0 && accepted[i] > now - intervalMs) {
      inWindow++;
      i--;
    }
    if (inWindow >= calls) {
      state.rejected++;
      const oldest = accepted[accepted.length - calls];
      const retryAfterMs = Math.max(1, Math.ceil(oldest + intervalMs - now));
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': String(retryAfterMs) });
      res.end('{"code":40203,"msg":"rate limited"}');
      return;
    }
    accepted.push(now);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"code":0,"data":{"fields":["n"],"items":[[1]]}}');
    req.resume();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    accepted,
    get rejected() {
      return state.rejected;
    },
    set rejected(v: number) {
      state.rejected = v;
    },
    reset() {
      accepted.length = 0;
      state.rejected = 0;
    },
    close: () => closeServer(server),
  };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
