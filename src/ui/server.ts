/**
 * A small HTTP server for the pages: GET routes only, loopback unless told otherwise, and a
 * Content-Security-Policy that lets a page load nothing but itself (inline styles and scripts,
 * requests back to this server). A port given by the user must be free; without one the
 * preferred port is tried, then any free one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SluiceError, ErrorCodes } from '../core/errors.js';

/** What a page may load: itself only. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface PageServerOptions {
  /** A port the user asked for (must be free), or undefined for `preferredPort` or any free one. */
  readonly port?: number;
  /** @default 7330 */
  readonly preferredPort?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** The flag named in a "port in use" error. @default --port */
  readonly portFlag?: string;
  /** Path (exact) to handler. */
  readonly routes: Readonly<Record<string, Route>>;
  /** Handler of paths no route names (e.g. /run/ID). */
  readonly fallback?: Route;
}

export interface PageServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_UI_PORT = 7330;

export function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function notFound(res: ServerResponse, what = 'not found'): void {
  send(res, 404, 'text/plain', `${what}\n`);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'only GET\n');
      return;
    }
    const route = options.routes[url.pathname] ?? options.fallback;
    if (!route) {
      notFound(res);
      return;
    }
    Promise.resolve()
      .then(() => route(req, res, url))
      .catch((err: unknown) => {
        if (!res.headersSent)
          send(res, 500, 'text/plain', `error: ${err instanceof Error ? err.message : String(err)}\n`);
        else res.end();
      });
  });
  let port: number;
  try {
    if (options.port !== undefined) port = await listen(server, options.port, host);
    else {
      try {
        port = await listen(server, options.preferredPort ?? DEFAULT_UI_PORT, host);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        port = await listen(server, 0, host);
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const what = options.port !== undefined ? `port ${options.port}` : 'a port';
    throw new SluiceError(
      ErrorCodes.USAGE,
      `${options.portFlag ?? '--port'}: cannot listen on ${host} ${what}: ${code}`,
    );
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
