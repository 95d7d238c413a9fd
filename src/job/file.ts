/** Running a job file from code: what `sluice run FILE` does before it prints anything. */
import { loadJobFile } from './load.js';
import { baseDirOf } from './parts.js';
import { runJob, type RunJobOptions, type RunJobResult } from './run.js';

/**
 * Options of `runJobFile`: those of `runJob`, and where `${VAR}` comes from.
 * @example
 * ```ts
 * await runJobFile('daily.yaml', { db: './test.db', env: { TUSHARE_TOKEN: 'x' }, progress: 'auto' });
 * ```
 */
export interface RunJobFileOptions extends Omit<RunJobOptions, 'baseDir'> {
  /** Where `${VAR}` in the job file is read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Loads a job file (YAML or JSON; `${VAR}` from `env`; relative paths from the file's folder),
 * runs it to the end, stores its report in the sink's database, and returns the report with the
 * exit code `sluice run` would use. Bad input throws a SluiceError before anything is written.
 * Progress is quiet unless asked for (`progress: 'auto'`).
 *
 * @example
 * ```ts
 * import { runJobFile } from 'sluice';
 * const { report, exitCode } = await runJobFile('daily.yaml', { resume: true });
 * console.log(report.status, report.rows.written, exitCode);
 * ```
 */
export async function runJobFile(path: string, options: RunJobFileOptions = {}): Promise<RunJobResult> {
  const { env, ...rest } = options;
  const loaded = loadJobFile(path, env);
  return runJob(loaded.job, { progress: 'quiet', ...rest, baseDir: baseDirOf(path) });
}
