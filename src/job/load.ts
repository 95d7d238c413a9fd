/**
 * Reading a job file: YAML or JSON, `${VAR}` from the environment (a missing variable is an
 * error), then the schema. Every failure is one line naming the file and the key.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ErrorCodes, SluiceError, messageOf } from '../core/errors.js';
import { parseRange } from '../core/dates.js';
import { registerSecret } from '../core/secrets.js';
import { parseStrategy } from '../plan/index.js';
import { parseCondition } from '../report/index.js';
import { withCatalogueDefaults } from './catalogue-defaults.js';
import { JobSchema, type JobConfig } from './schema.js';
import { parseJobFileText } from './parse-text.js';

export function badJob(origin: string, message: string): SluiceError {
  return new SluiceError(ErrorCodes.BAD_JOB, `${origin}: ${message}`);
}

function pathText(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[') || '(top level)'
  );
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replace `${VAR}` in every string of `value`; throws naming the key when a variable is unset. */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, origin: string, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) throw badJob(origin, `${pathText(path)}: environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, origin, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, origin, [...path, k])]));
  }
  return value;
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (where === '(top level)' ? k : `${where}.${k}`));
    return `unknown key ${keys.join(', ')}`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  if (/received undefined$/.test(message)) return `${where}: missing (${message.replace(/, received undefined$/, '')})`;
  return `${where}: ${message}`;
}

/** Parse the text of a job file: JSON when `origin` ends in `.json`, else YAML (see parse-text.ts). */
export function parseJobText(text: string, origin: string): unknown {
  return parseJobFileText(text, origin);
}

/**
 * Validate a raw (uninterpolated) job definition.
 * @example
 * ```ts
 * import { parseJob } from 'sluice';
 * const job = parseJob(JSON.parse(text), process.env, 'daily.json'); // throws SLUICE_BAD_JOB naming the key
 * ```
 */
export function parseJob(raw: unknown, env: NodeJS.ProcessEnv = process.env, origin = 'job'): JobConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw badJob(origin, 'expected a mapping with name, source, plan and sink');
  // Register literal tokens before anything can print them.
  const literal = (raw as { source?: { token?: unknown } }).source?.token;
  if (typeof literal === 'string' && !literal.includes('${')) registerSecret(literal);
  const resolved = interpolate(raw, env, origin);
  const token = (resolved as { source?: { token?: unknown } }).source?.token;
  if (typeof token === 'string') registerSecret(token);
  const result = JobSchema.safeParse(resolved);
  if (!result.success) throw badJob(origin, describeIssue(result.error.issues[0]));
  const job = withCatalogueDefaults(result.data, origin);
  try {
    parseRange(job.plan.start, job.plan.end, { start: 'plan.start', end: 'plan.end' });
    parseStrategy(job.plan.strategy, 'plan.strategy');
    for (const a of job.alerts) parseCondition(a.when);
  } catch (err) {
    throw badJob(origin, messageOf(err));
  }
  if (job.source.type === 'tushare' && !job.source.token) {
    const fromEnv = env.TUSHARE_TOKEN;
    if (!fromEnv) throw badJob(origin, 'source.token: expected a token (or set TUSHARE_TOKEN)');
    registerSecret(fromEnv);
    return { ...job, source: { ...job.source, token: fromEnv } };
  }
  return job;
}

/**
 * A job file as read: the validated job and the raw definition.
 * @example
 * ```ts
 * const { job, raw, path } = loadJobFile('daily.yaml');
 * ```
 */
export interface LoadedJob {
  readonly job: JobConfig;
  /** The definition as written, before `${VAR}` interpolation (safe to hand to workers). */
  readonly raw: unknown;
  readonly path: string;
}

/**
 * Read, interpolate and validate a job file.
 * @example
 * ```ts
 * import { loadJobFile, runJob } from 'sluice';
 * const { job } = loadJobFile('daily.yaml');
 * console.log(job.name, job.plan.strategy, job.sink.type);
 * ```
 */
export function loadJobFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedJob {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw badJob(path, 'cannot read the job file');
  }
  const raw = parseJobText(text, path);
  return { job: parseJob(raw, env, path), raw, path };
}
