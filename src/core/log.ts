/**
 * The process logger: pino to stderr (stdout is reserved for --json output). Redaction paths are
 * compiled once; messages are scrubbed of registered secrets.
 */
import pino, { type Logger } from 'pino';
import { scrub } from './secrets.js';

let logger: Logger | undefined;

export function log(): Logger {
  logger ??= pino(
    {
      level: process.env.SLUICE_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: ['token', '*.token', 'password', '*.password', 'params.token'], censor: '***' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  return logger;
}
