/**
 * A loopback HTTP server with a capacity knee: while at most `capacity` requests are in progress
 * each takes `baseMs`; past the knee a request arriving with n in progress takes
 * baseMs * (n / capacity)^exponent, so throughput falls as concurrency rises further.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from './rate-server.js';

export interface KneeHttpServer {
  readonly url: string;
  completed: number;
  close(): Promise<void>;
}

export async function startKneeServer(capacity: number, baseMs: number, exponent = 1.5): Promise<KneeHttpServer> {
  let inProgress = 0;
  const state = { completed: 0 };
  const server = createServer((req, res) => {
    inProgress++;
    const over = inProgress / capacity;
    const delayMs = baseMs * (over <= 1 ? 1 : over ** exponent);
    req.resume();
    setTimeout(() => {
      inProgress--;
      state.completed++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"code":0,"data":{"fields":["n"],"items":[[1]]}}');
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    get completed() {
      return state.completed;
    },
    set completed(v: number) {
      state.completed = v;
    },
    close: () => closeServer(server),
  };
}
