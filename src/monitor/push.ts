/**
 * Pushing a run's metrics to a Prometheus Pushgateway at its end: a batch job may end before any
 * scrape, so it pushes (PUT /metrics/job/<job>, replacing the job's previous push).
 */
import { Pushgateway, type Registry } from 'prom-client';

export interface PushOptions {
  /** Pushgateway base URL, e.g. http://127.0.0.1:9091 */
  readonly url: string;
  /** The `job` label: the job's name. */
  readonly job: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** Pushes every metric of `registry`; rejects with the Pushgateway's answer when it refuses. */
export async function pushMetrics(registry: Registry, options: PushOptions): Promise<void> {
  const gateway = new Pushgateway(
    options.url,
    { timeout: options.timeoutMs ?? 10_000, headers: { 'Content-Type': registry.contentType } },
    registry,
  );
  await gateway.push({ jobName: options.job });
}
