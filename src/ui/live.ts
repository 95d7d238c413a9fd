/**
 * The live server: `sluice run --ui` (and later a sync) serves its runs' pages on loopback while
 * they run. `/` is the run's page (a list when there are several), `/run/ID` one run's page,
 * `/events?run=ID` its server-sent events (one message a second, then the final one). It only
 * reads the monitor and the stored report; it never changes a run.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import { scrub } from '../core/secrets.js';
import type { RunMonitor } from '../monitor/run-monitor.js';
import { LiveHub, type LiveMessage, type LiveRunHandle } from './hub.js';
import { renderLivePage } from './live-page.js';
import type { LiveRunInfo } from './live-state.js';
import { renderRunList } from './run-list.js';
import { notFound, PAGE_CSP, send, startPageServer } from './server.js';

/**
 * Where and how the live page is served.
 * @example
 * ```ts
 * const live = await startLiveServer({ port: 7330, host: '127.0.0.1', lingerMs: 3000 });
 * ```
 */
export interface LiveOptions {
  /** Port asked for (must be free); without it 7330, or any free port when that one is taken. */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** How long the server stays up after the last run ended, so its final state is seen. @default 3000 */
  readonly lingerMs?: number;
  /** Update interval. @default 1000 */
  readonly intervalMs?: number;
}

/**
 * A running live page server: add runs to it (before they start), close it after them.
 * @example
 * ```ts
 * const live = await startLiveServer();
 * console.log(`live page at ${live.url}`);
 * const { report } = await runJob(job, { live });
 * await live.close(); // after lingerMs, so the final state is seen
 * ```
 */
export interface LiveServer {
  readonly url: string;
  /** Adds a run to the pages (before it starts). */
  add(info: LiveRunInfo, events: Emitter<ExecutorEventMap>, monitor: RunMonitor): LiveRunHandle;
  /** Waits `lingerMs`, then stops serving. */
  close(): Promise<void>;
}

function stream(hub: LiveHub, runId: string, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': PAGE_CSP,
    connection: 'keep-alive',
  });
  const write = (m: LiveMessage) => {
    res.write(`data: ${scrub(JSON.stringify(m))}\n\n`);
    if (m.final) res.end();
  };
  res.write('retry: 2000\n\n');
  const first = hub.message(runId);
  write(first);
  if (first.final) return;
  const off = hub.subscribe(runId, write);
  req.on('close', off);
}

/**
 * Starts the live page server (loopback unless `host` says otherwise; port 7330, or a free one when
 * it is taken, unless `port` asks for one). `runJob(job, { live })` shows a run on it.
 * @example
 * ```ts
 * import { runJobFile, startLiveServer } from 'sluice';
 * const live = await startLiveServer({ port: 0 });
 * try {
 *   await runJobFile('daily.yaml', { live });
 * } finally {
 *   await live.close();
 * }
 * ```
 */
export async function startLiveServer(options: LiveOptions = {}): Promise<LiveServer> {
  const hub = new LiveHub(options.intervalMs ?? 1000);
  const page = (res: ServerResponse, runId: string) => {
    const p = hub.page(runId);
    if (!p) return notFound(res, `no run ${runId}`);
    send(res, 200, 'text/html', scrub(renderLivePage(runId, { ...p, runs: hub.summaries() })));
  };
  let server;
  try {
    server = await startPageServer({
      port: options.port,
      host: options.host,
      portFlag: '--ui',
      routes: {
        '/': (_req, res) => {
          const ids = hub.ids();
          if (ids.length === 1) page(res, ids[0]);
          else send(res, 200, 'text/html', scrub(renderRunList(hub.summaries())));
        },
        '/events': (req, res, url) => {
          const runId = url.searchParams.get('run') ?? hub.ids()[0] ?? '';
          if (!hub.has(runId)) return notFound(res, `no run ${runId}`);
          stream(hub, runId, req, res);
        },
        '/favicon.ico': (_req, res) => {
          res.writeHead(204);
          res.end();
        },
      },
      fallback: (_req, res, url) => {
        const m = /^\/run\/([^/]+)$/.exec(url.pathname);
        if (!m) return notFound(res);
        page(res, decodeURIComponent(m[1]));
      },
    });
  } catch (err) {
    hub.close();
    throw err;
  }
  const s = server;
  return {
    url: s.url,
    add: (info, events, monitor) => hub.add(info, events, monitor),
    async close() {
      await new Promise((r) => setTimeout(r, options.lingerMs ?? 3000));
      hub.close();
      await s.close();
    },
  };
}
