/**
 * Alerts on run reports. A rule's `when` is a tiny expression, parsed here without eval:
 *
 *   targets-missed | targets-met
 *   PATH OP VALUE    where OP is > >= < <= == != and VALUE a number or a bare word
 *
 * PATH is a dotted path into the report (`calls.p95Ms`, `status`); a single name not found at the
 * top level is looked up under `calls` (so `errorRate` means `calls.errorRate`). A metric that is
 * missing or null never fires a numeric rule. Firing rules POST the report as JSON to `webhook`
 * and/or run `command` (shell) with the report JSON on stdin; both have a timeout and never throw.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { RunReport } from '../core/report.js';
import { usageError } from '../core/errors.js';
import { scrub } from '../core/secrets.js';

/** An alert rule as a job file writes it (`alerts:`); the one schema of it (job/schema.ts uses it). */
export const AlertRuleSchema = z
  .object({
    when: z.string().min(1),
    webhook: z.string().url().optional(),
    command: z.string().min(1).optional(),
  })
  .strict()
  .refine((a) => a.webhook !== undefined || a.command !== undefined, 'expected a webhook or a command');
export type AlertRule = z.infer<typeof AlertRuleSchema>;
export const AlertRulesSchema = z.array(AlertRuleSchema);

export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type Condition =
  | { readonly kind: 'targets'; readonly missed: boolean }
  | { readonly kind: 'compare'; readonly path: readonly string[]; readonly op: Op; readonly value: number | string };

const COMPARE =
  /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?|[A-Za-z][\w-]*)$/;

/** Parses a `when` expression or throws a usage error naming it. */
export function parseCondition(when: string): Condition {
  const text = when.trim();
  if (text === 'targets-missed') return { kind: 'targets', missed: true };
  if (text === 'targets-met') return { kind: 'targets', missed: false };
  const m = COMPARE.exec(text);
  if (!m)
    throw usageError(
      `alert when: cannot read ${JSON.stringify(when)}; expected e.g. "errorRate > 0.05", "status == failed" or "targets-missed"`,
    );
  const raw = m[3];
  const value = /^-?\d/.test(raw) ? Number(raw) : raw;
  return { kind: 'compare', path: m[1].split('.'), op: m[2] as Op, value };
}

function lookup(report: RunReport, path: readonly string[]): unknown {
  const walk = (root: unknown, keys: readonly string[]) =>
    keys.reduce<unknown>(
      (v, k) =>
        v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined,
      root,
    );
  const direct = walk(report, path);
  return direct === undefined && path.length === 1 ? walk(report.calls, path) : direct;
}

/** Whether the condition holds for the report. */
export function evaluate(cond: Condition, report: RunReport): boolean {
  if (cond.kind === 'targets') return cond.missed ? !report.targets.met : report.targets.met;
  const actual = lookup(report, cond.path);
  if (typeof cond.value === 'string') {
    if (typeof actual !== 'string' && typeof actual !== 'boolean') return false;
    const a = String(actual);
    if (cond.op === '==') return a === cond.value;
    if (cond.op === '!=') return a !== cond.value;
    return false;
  }
  if (typeof actual !== 'number' || !Number.isFinite(actual)) return false;
  switch (cond.op) {
    case '>':
      return actual > cond.value;
    case '>=':
      return actual >= cond.value;
    case '<':
      return actual < cond.value;
    case '<=':
      return actual <= cond.value;
    case '==':
      return actual === cond.value;
    case '!=':
      return actual !== cond.value;
  }
}

export interface ActionResult {
  readonly ok: boolean;
  /** HTTP status (webhook) or exit code (command). */
  readonly status?: number | null;
  readonly error?: string;
}

export interface AlertResult {
  readonly when: string;
  readonly fired: boolean;
  readonly webhook?: ActionResult;
  readonly command?: ActionResult;
}

export interface AlertOptions {
  /** Time allowed for each webhook POST or command. @default 10000 */
  readonly timeoutMs?: number;
}

async function postWebhook(url: string, body: string, timeoutMs: number): Promise<ActionResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, error: scrub(`webhook failed: ${why}`) };
  }
}

function runCommand(command: string, body: string, timeoutMs: number): Promise<ActionResult> {
  return new Promise((resolve) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString();
    });
    child.stdin.on('error', () => undefined); // the command may not read its stdin
    child.stdin.end(body);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, status: null, error: scrub(`command failed: ${err.message}`) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, status: code, error: `command timed out after ${timeoutMs} ms` });
      else if (code === 0) resolve({ ok: true, status: 0 });
      else
        resolve({
          ok: false,
          status: code,
          error: scrub(`command exited with ${code}${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`),
        });
    });
  });
}

/** Evaluates each rule and runs the actions of those that fire. Never throws for a failing action. */
export async function runAlerts(
  report: RunReport,
  rules: readonly AlertRule[],
  options: AlertOptions = {},
): Promise<AlertResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const conditions = rules.map((r) => parseCondition(r.when)); // bad rules are refused before anything runs
  return Promise.all(
    rules.map(async (rule, i): Promise<AlertResult> => {
      if (!evaluate(conditions[i], report)) return { when: rule.when, fired: false };
      const payload = scrub(JSON.stringify({ alert: rule.when, report }));
      const [webhook, command] = await Promise.all([
        rule.webhook ? postWebhook(rule.webhook, payload, timeoutMs) : undefined,
        rule.command ? runCommand(rule.command, payload, timeoutMs) : undefined,
      ]);
      return { when: rule.when, fired: true, ...(webhook && { webhook }), ...(command && { command }) };
    }),
  );
}
