/**
 * A run's Prometheus metrics: served on `/metrics` while the run lives and for `lingerMs` after it
 * ends (so the last scrape sees the last calls), and pushed to a Pushgateway at the end.
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { redactUrls, registerSecret } from '../core/secrets.js';
import { createRunMetrics, startMetricsServer, type RunMetricsInfo } from '../monitor/index.js';
import { pushMetrics } from '../monitor/push.js';

export interface RunMetricsOptions {
  /** Serve /metrics on this port. */
  readonly metricsPort?: number;
  /** Keep /metrics up this long after the run. @default 0 */
  readonly metricsLingerMs?: number;
  /** Push the metrics to this Pushgateway at the end. */
  readonly pushgateway?: string;
}

export interface RunMetricsHandle {
  /** Push to the Pushgateway (when asked for); a failure is a note, not a failed run. */
  push(job: string): Promise<void>;
  /** Stop serving, after the linger time (the process stays up for it). */
  close(): Promise<void>;
}

/** Throws a usage error unless `url` is an http(s) URL; registers its password as a secret. */
export function checkPushgatewayUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SluiceError(
      ErrorCodes.USAGE,
      `--pushgateway: expected an http(s) URL, got ${JSON.stringify(redactUrls(url))}`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new SluiceError(
      ErrorCodes.USAGE,
      `--pushgateway: expected an http(s) URL, got ${JSON.stringify(redactUrls(url))}`,
    );
  if (parsed.password) registerSecret(decodeURIComponent(parsed.password));
}

export async function startRunMetrics(
  options: RunMetricsOptions,
  events: Emitter<ExecutorEventMap>,
  info: RunMetricsInfo,
  note: (line: string) => void,
): Promise<RunMetricsHandle | undefined> {
  if (options.metricsPort === undefined && !options.pushgateway) return undefined;
  if (options.pushgateway) checkPushgatewayUrl(options.pushgateway);
  const metrics = createRunMetrics(events, info);
  const server =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer({ port: options.metricsPort, events, metrics });
  if (server) note(`metrics at ${server.url}`);
  return {
    async push(job) {
      const url = options.pushgateway;
      if (!url) return;
      try {
        await pushMetrics(metrics.registry, { url, job });
        note(`metrics pushed to ${redactUrls(url)}`);
      } catch (err) {
        note(`could not push metrics to ${redactUrls(url)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    async close() {
      metrics.detach();
      if (!server) return;
      const lingerMs = options.metricsLingerMs ?? 0;
      if (lingerMs <= 0) return server.close();
      note(`metrics stay at ${server.url} for ${Math.round(lingerMs / 1000)} s (Ctrl-C ends the wait)`);
      // Not awaited: the run's report is printed meanwhile; the timer keeps the process up. A signal
      // now only ends the wait: the run is over, and its exit code stands.
      const stop = (): void => {
        clearTimeout(timer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close();
      };
      const timer = setTimeout(stop, lingerMs);
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
  };
}
