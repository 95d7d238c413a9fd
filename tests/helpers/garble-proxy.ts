/**
 * A Tushare-protocol proxy in front of the emulator that garbles row lengths: it drops the first
 * value of a row, drops the last one, or adds one, per request as `rule` decides. `rule` can be
 * changed while it runs ("the server is fixed").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Garble = 'drop-first' | 'drop-last' | 'extra';

/** Decides per answered request (its params, and a running count of data answers) how to garble it. */
export type GarbleRule = (params: Record<string, unknown>, n: number) => Garble | undefined;

export interface GarbleProxy {
  readonly url: string;
  rule: GarbleRule;
  /** Answers garbled so far. */
  garbled: number;
  /** Hold every request from now until `open()` (a server that does not answer yet). */
  hold(): void;
  open(): void;
  close(): Promise<void>;
}

function garbleRow(row: unknown[], how: Garble): unknown[] {
  if (how === 'drop-first') return row.slice(1);
  if (how === 'drop-last') return row.slice(0, -1);
  return [...row, 0];
}

export async function startGarbleProxy(upstream: string, rule: GarbleRule): Promise<GarbleProxy> {
  let n = 0;
  let gate: Promise<void> = Promise.resolve();
  let openGate = (): void => {};
  const proxy: GarbleProxy = {
    url: '',
    rule,
    garbled: 0,
    hold() {
      gate = new Promise((resolve) => (openGate = resolve));
    },
    open: () => openGate(),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      gate
        .then(() => fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
        .then(async (r) => {
          let text = await r.text();
          const answer = JSON.parse(text) as { code: number; data?: { items: unknown[][] } };
          const items = answer.data?.items;
          if (answer.code === 0 && items && items.length > 0) {
            const params = (JSON.parse(body) as { params: Record<string, unknown> }).params;
            const how = proxy.rule(params, n++);
            if (how) {
              proxy.garbled += 1;
              // one row in the middle of the page, as a flaky serializer would
              const at = Math.floor(items.length / 2);
              items[at] = garbleRow(items[at], how);
              text = JSON.stringify(answer);
            }
          }
          res.writeHead(r.status, { 'content-type': 'application/json' }).end(text);
        })
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
