/**
 * Progress on stderr: a bar (batches, rows, calls/s, ETA) on a TTY, a plain line every few
 * seconds otherwise. It observes executor events and engine outcomes; it never changes a run.
 */
import { printLine } from '../core/log.js';
import cliProgress from 'cli-progress';
import type { ExecutorEvents } from '../core/events.js';

export interface ProgressOptions {
  readonly total: number;
  readonly events: ExecutorEvents;
  /** @default process.stderr.isTTY */
  readonly tty?: boolean;
  /** Interval of plain lines when not on a TTY. @default 5000 */
  readonly lineIntervalMs?: number;
  /** @default false */
  readonly quiet?: boolean;
  readonly write?: (line: string) => void;
}

export interface Progress {
  /** A batch finished (done or failed); rows written by it. */
  batchFinished(rows: number): void;
  /** The plan grew (a window was split in two). */
  addTotal(n: number): void;
  stop(): void;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const startMs = performance.now();
  const write = options.write ?? printLine;
  let total = options.total;
  let done = 0;
  let rows = 0;
  let calls = 0;
  const offCall = options.events.on('call:end', () => {
    calls += 1;
  });

  const rate = (): number => calls / Math.max((performance.now() - startMs) / 1000, 0.001);
  const eta = (): number => {
    const elapsed = (performance.now() - startMs) / 1000;
    return done === 0 ? NaN : (elapsed / done) * (total - done);
  };

  if (options.quiet) {
    return {
      batchFinished(r) {
        done += 1;
        rows += r;
      },
      addTotal(n) {
        total += n;
      },
      stop() {
        offCall();
      },
    };
  }

  if (options.tty ?? process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: 'batches {bar} {value}/{total} | rows {rows} | {cps} calls/s | ETA {etaText}',
        hideCursor: true,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rows: 0, cps: '0.0', etaText: '--' });
    const timer = setInterval(() => bar.update({ cps: rate().toFixed(1), etaText: formatEta(eta()) }), 500);
    timer.unref();
    return {
      batchFinished(r) {
        done += 1;
        rows += r;
        bar.update(done, { rows, cps: rate().toFixed(1), etaText: formatEta(eta()) });
      },
      addTotal(n) {
        total += n;
        bar.setTotal(total);
      },
      stop() {
        clearInterval(timer);
        offCall();
        bar.stop();
      },
    };
  }

  const line = (): void =>
    write(`sluice: ${done}/${total} batches, ${rows} rows, ${rate().toFixed(1)} calls/s, ETA ${formatEta(eta())}`);
  const timer = setInterval(line, options.lineIntervalMs ?? 5000);
  timer.unref();
  return {
    batchFinished(r) {
      done += 1;
      rows += r;
    },
    addTotal(n) {
      total += n;
    },
    stop() {
      clearInterval(timer);
      offCall();
    },
  };
}
