/**
 * The job definition as it travels to workers: exactly as the user wrote it (before `${VAR}`
 * interpolation), plus where relative paths resolve and the `--db` override. Workers interpolate
 * from their own environment, so a token never passes through Redis; a definition that holds a
 * literal secret is refused instead of being sent.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { redactUrls, scrub } from '../core/secrets.js';

export interface JobPayload {
  /** The job definition before interpolation. */
  readonly job: unknown;
  /** Absolute folder that relative paths in the job resolve against (on the worker's machine too). */
  readonly baseDir: string;
  /** `--db` override of the sink's path or URL. */
  readonly db?: string;
  /** Hash of the three fields above: workers build a job's parts once per hash. */
  readonly hash: string;
}

const CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^:@/\s"]*:([^@/\s"]*)@/gi;
const PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Where `text` holds a secret that must not leave the process, or undefined. */
function secretIn(text: string): string | undefined {
  for (const m of text.matchAll(CREDENTIALS)) {
    if (m[1] !== '' && !PLACEHOLDER.test(m[1])) return 'a password in a URL';
  }
  // scrub() also redacts URL passwords; placeholders in them were accepted above.
  if (scrub(text) !== redactUrls(text)) return 'a token or secret value';
  return undefined;
}

export function jobPayload(job: unknown, baseDir: string, db?: string): JobPayload {
  const body = db === undefined ? { job, baseDir } : { job, baseDir, db };
  const text = JSON.stringify(body);
  const found = secretIn(JSON.stringify(job));
  if (found) {
    throw new SluiceError(
      ErrorCodes.BAD_JOB,
      `with --queue the job definition is sent to workers through Redis, and it holds ${found}: write it as \${VAR} and set VAR in each worker's environment`,
    );
  }
  if (db !== undefined && secretIn(JSON.stringify(db))) {
    throw new SluiceError(
      ErrorCodes.USAGE,
      "--db: with --queue a password in the URL would be sent to workers through Redis; set PGPASSWORD in each worker's environment instead",
    );
  }
  return { ...body, hash: createHash('sha256').update(text).digest('hex').slice(0, 32) };
}
