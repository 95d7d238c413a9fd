/**
 * `sluice emulate`: run the local Tushare-protocol emulator until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { ErrorCodes, isSluiceError, messageOf, usageError } from '../../core/errors.js';
import { registerSecret } from '../../core/secrets.js';
import { formatDay, parseDay } from '../../core/dates.js';
import {
  DEMO_TOKEN,
  parseFaults,
  parseRevisions,
  startEmulator,
  type EmulatorOptions,
  type FaultRates,
} from '../../emulator/index.js';
import { untilAborted, withStopSignals } from '../stop.js';
import { action, intFlag, printJson, printLine } from '../util.js';

interface EmulateFlags {
  port?: string;
  host?: string;
  rate?: string;
  intervalMs?: string;
  window?: string;
  rowCap?: string;
  maxOffset?: string;
  faults?: string;
  seed?: string;
  symbols?: string;
  token?: string;
  latencyMs?: string;
  knee?: string;
  perExcessMs?: string;
  deny?: string;
  quotaWording?: string;
  dailyQuota?: string;
  badQuery?: string[];
  rowCaps?: string;
  hasMore?: boolean;
  asOf?: string;
  revisions?: string;
  json?: boolean;
}

/** `k=v,k=v` pairs; throws a usage error naming the flag. */
function pairs(flag: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw usageError(`${flag}: expected NAME=VALUE[,NAME=VALUE...], got ${JSON.stringify(part)}`);
    out[m[1]] = m[2];
  }
  return out;
}

/** A YYYYMMDD flag, checked as a real date. */
function dayFlag(flag: string, text: string): string {
  try {
    return formatDay(parseDay(text, flag));
  } catch (err) {
    throw usageError(messageOf(err));
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Turn the flags into emulator options; throws a usage error naming the first bad flag. */
export function emulatorOptionsFromFlags(flags: EmulateFlags): EmulatorOptions {
  const rate = intFlag('--rate', flags.rate);
  const intervalMs = intFlag('--interval-ms', flags.intervalMs);
  if (rate === undefined && (intervalMs !== undefined || flags.window !== undefined)) {
    throw usageError(`${intervalMs !== undefined ? '--interval-ms' : '--window'}: only meaningful with --rate N`);
  }
  if (flags.window !== undefined && flags.window !== 'fixed' && flags.window !== 'sliding') {
    throw usageError(`--window: expected fixed or sliding, got ${JSON.stringify(flags.window)}`);
  }
  let faults: FaultRates | undefined;
  if (flags.faults !== undefined) {
    try {
      faults = parseFaults(flags.faults);
    } catch (err) {
      throw usageError(`--${messageOf(err)}`);
    }
  }
  if (flags.token !== undefined) {
    if (flags.token.trim().length < 4) throw usageError('--token: expected at least 4 characters');
    registerSecret(flags.token);
  }
  const host = flags.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && host !== '0.0.0.0')
    throw usageError(`--host: expected 127.0.0.1, localhost, ::1 or 0.0.0.0, got ${JSON.stringify(host)}`);
  const deny = flags.deny
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (flags.quotaWording !== undefined && flags.quotaWording !== 'current' && flags.quotaWording !== 'classic') {
    throw usageError(`--quota-wording: expected current or classic, got ${JSON.stringify(flags.quotaWording)}`);
  }
  const rowCaps = flags.rowCaps
    ? Object.fromEntries(
        Object.entries(pairs('--row-caps', flags.rowCaps)).map(([api, n]) => [
          api,
          intFlag(`--row-caps ${api}`, n) as number,
        ]),
      )
    : undefined;
  const opts: EmulatorOptions = {
    port: intFlag('--port', flags.port ?? '7001', { min: 0, max: 65535 }),
    host,
    seed: intFlag('--seed', flags.seed, { min: 0, max: 2 ** 31 - 1 }),
    symbols: intFlag('--symbols', flags.symbols, { min: 1, max: 100_000 }),
    rowCap: intFlag('--row-cap', flags.rowCap),
    maxOffset: intFlag('--max-offset', flags.maxOffset, { min: 0 }),
    latencyMs: intFlag('--latency-ms', flags.latencyMs, { min: 0, max: 600_000 }),
    knee: intFlag('--knee', flags.knee),
    perExcessMs: intFlag('--per-excess-ms', flags.perExcessMs, { min: 0, max: 600_000 }),
    ...(flags.token !== undefined ? { token: flags.token } : {}),
    ...(rate !== undefined
      ? {
          rate: {
            calls: rate,
            intervalMs: intervalMs ?? 60_000,
            window: (flags.window ?? 'fixed') as 'fixed' | 'sliding',
          },
        }
      : {}),
    ...(faults ? { faults } : {}),
    ...(deny && deny.length > 0 ? { deniedApis: deny } : {}),
    ...(flags.quotaWording ? { quotaWording: flags.quotaWording as 'current' | 'classic' } : {}),
    dailyQuota: intFlag('--daily-quota', flags.dailyQuota),
    ...(flags.badQuery && flags.badQuery.length > 0
      ? { badQueries: flags.badQuery.map((q) => pairs('--bad-query', q)) }
      : {}),
    ...(rowCaps ? { rowCaps } : {}),
    ...(flags.hasMore === false ? { hasMore: false } : {}),
    ...(flags.asOf !== undefined ? { asOf: dayFlag('--as-of', flags.asOf) } : {}),
    ...(flags.revisions !== undefined ? { revisions: parseRevisions(flags.revisions) } : {}),
  };
  // Leave out undefined values so that the emulator's defaults apply.
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as EmulatorOptions;
}

export function register(program: Command): void {
  program
    .command('emulate')
    .description(
      'Run a local Tushare-protocol emulator (deterministic data, rate limits, latency, faults) until Ctrl-C.',
    )
    .option('--port <n>', 'port to listen on; 0 picks a free port', '7001')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--rate <n>', 'calls admitted per interval, per API (default: unlimited)')
    .option('--interval-ms <n>', 'rate interval in ms (default 60000)')
    .option('--window <kind>', 'rate window: fixed or sliding (default fixed)')
    .option('--row-cap <n>', 'rows one daily call returns at most (default 6000)')
    .option('--max-offset <n>', 'largest offset accepted before code 50101 (default 100000)')
    .option(
      '--faults <spec>',
      'fault probabilities, e.g. 5xx:0.02,reset:0.01,hang:0.01,malformed:0.01,internal:0.01 or all:0.05',
    )
    .option('--seed <n>', 'data and fault seed (default 42)')
    .option('--symbols <n>', 'symbols in the universe (default 50)')
    .option('--token <t>', 'token to accept (default: the public demo token)')
    .option('--latency-ms <n>', 'base latency of every answer (default 1)')
    .option('--knee <n>', 'requests in flight before latency grows (default 16)')
    .option('--per-excess-ms <n>', 'extra latency per request beyond the knee (default 5)')
    .option('--deny <apis>', 'comma-separated APIs answered "no permission"')
    .option(
      '--quota-wording <w>',
      'rate-limit refusals in the current wording (频率超限) or the classic one (每分钟最多访问)',
      'current',
    )
    .option('--daily-quota <n>', 'calls each API admits per day (China time); then the daily-quota refusal')
    .option(
      '--bad-query <k=v,...>',
      'answer the generic 50101 to requests whose params hold these values (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--row-caps <api=n,...>', 'per-API row caps below the built-in ones, e.g. adj_factor=4000')
    .option('--no-has-more', 'never send has_more (as a server that does not implement it)')
    .option('--as-of <yyyymmdd>', 'serve market data only up to this day (default: all, to 20261231)')
    .option(
      '--revisions <n[@yyyymmdd]>',
      'serve revised values for the last N trading days through that day (default: --as-of)',
    )
    .option('--json', 'print {url, port} as JSON on stdout once listening')
    .action(
      action(async (flags: EmulateFlags) => {
        const opts = emulatorOptionsFromFlags(flags);
        const emu = await startEmulator(opts).catch((err: unknown) => {
          const code = (err as { code?: string }).code;
          if (code === 'EADDRINUSE')
            throw usageError(`--port: ${opts.port} is already in use (use --port 0 for a free one)`);
          if (isSluiceError(err) && err.code === ErrorCodes.USAGE) throw usageError(`--${err.message}`);
          throw err;
        });
        const tokenNote =
          flags.token === undefined
            ? `token: ${DEMO_TOKEN} (the public demo token)`
            : 'token: the one given with --token';
        printLine(`sluice emulator listening on ${emu.url} (POST / or /dataapi; ${tokenNote}); Ctrl-C to stop`);
        if (flags.json) printJson({ url: emu.url, port: emu.port, apis: emu.dataset.apis, vintage: emu.vintage() });
        const sig = await withStopSignals(async (signal) => {
          await untilAborted(signal);
          return messageOf(signal.reason);
        });
        const s = emu.stats();
        await emu.close();
        printLine(
          `sluice emulator stopped (${sig}): ${s.calls} calls, ${s.rows} rows, ${s.rejectedRate} rate refusals, ` +
            `${Object.values(s.faults).reduce((a, b) => a + b, 0)} faults, max ${s.maxConcurrent} concurrent`,
        );
        return 0;
      }),
    );
}
