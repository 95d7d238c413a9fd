import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertRulesSchema, evaluate, parseCondition, runAlerts } from '../../src/report/alerts.js';
import { JobSchema } from '../../src/job/schema.js';
import { SluiceError } from '../../src/core/errors.js';
import { sampleReport } from '../helpers/report-fixtures.js';

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }),
    ),
  );
}

const close = (s: Server) =>
  new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

describe('alert conditions', () => {
  const report = sampleReport({}, { failEvery: 10 }); // error rate 0.1, targets missed

  test('comparisons on report metrics, with calls.* as a shorthand', () => {
    assert.equal(evaluate(parseCondition('errorRate > 0.05'), report), true);
    assert.equal(evaluate(parseCondition('calls.errorRate > 0.5'), report), false);
    assert.equal(evaluate(parseCondition('calls.errorRate >= 0.1'), report), true);
    assert.equal(evaluate(parseCondition(`calls.p95Ms >= ${report.calls.p95Ms}`), report), true);
    assert.equal(evaluate(parseCondition(`calls.p95Ms < ${report.calls.p95Ms}`), report), false);
    assert.equal(evaluate(parseCondition('batches.failed != 0'), report), true);
    assert.equal(evaluate(parseCondition('memory.peakRssMb <= 1e-3'), report), false);
  });

  test('status words and targets', () => {
    assert.equal(evaluate(parseCondition('status == failed'), report), false);
    assert.equal(evaluate(parseCondition('status == succeeded'), report), true);
    assert.equal(evaluate(parseCondition('status != failed'), report), true);
    assert.equal(evaluate(parseCondition('targets-missed'), report), true);
    assert.equal(evaluate(parseCondition('targets-met'), report), false);
  });

  test('a missing or non-numeric metric never fires a numeric rule', () => {
    assert.equal(evaluate(parseCondition('nosuch.metric > 0'), report), false);
    assert.equal(evaluate(parseCondition('status > 0'), report), false);
    assert.equal(evaluate(parseCondition('constructor == x'), report), false);
  });

  test('anything else is refused as a usage error (no eval)', () => {
    for (const bad of ['errorRate >', 'process.exit(1)', 'errorRate > 0.05; rm -rf /', '1 > 0', 'a =~ b', '']) {
      assert.throws(
        () => parseCondition(bad),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE',
        bad,
      );
    }
  });

  test('the rules schema accepts job-file rules and refuses unknown keys', () => {
    assert.equal(
      AlertRulesSchema.safeParse([{ when: 'targets-missed', webhook: 'http://127.0.0.1:1/x' }]).success,
      true,
    );
    assert.equal(AlertRulesSchema.safeParse([{ when: 'targets-missed', email: 'x@y' }]).success, false);
    // the job file's schema is this one: a rule without an action is refused by both
    assert.equal(AlertRulesSchema.safeParse([{ when: 'targets-missed' }]).success, false);
    assert.equal(JobSchema.shape.alerts.safeParse([{ when: 'targets-missed' }]).success, false);
    assert.equal(JobSchema.shape.alerts.safeParse([{ when: 'targets-missed', command: 'true' }]).success, true);
  });
});

describe('runAlerts', () => {
  const report = sampleReport({}, { failEvery: 10 });

  test('posts the report as JSON to a webhook when the rule fires, and only then', async () => {
    const got: unknown[] = [];
    const { server, url } = await listen((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ type: req.headers['content-type'], body: JSON.parse(body) });
        res.end('ok');
      });
    });
    try {
      const results = await runAlerts(report, [
        { when: 'errorRate > 0.05', webhook: url },
        { when: 'status == failed', webhook: url },
      ]);
      assert.deepEqual(results[0], { when: 'errorRate > 0.05', fired: true, webhook: { ok: true, status: 200 } });
      assert.deepEqual(results[1], { when: 'status == failed', fired: false });
      assert.equal(got.length, 1);
      const g = got[0] as { type: string; body: { alert: string; report: { runId: string } } };
      assert.equal(g.type, 'application/json');
      assert.equal(g.body.alert, 'errorRate > 0.05');
      assert.equal(g.body.report.runId, report.runId);
    } finally {
      await close(server);
    }
  });

  test('a failing webhook is reported, never thrown: refused connection, HTTP 500, timeout', async () => {
    const dead = await listen(() => undefined);
    const deadUrl = dead.url;
    await close(dead.server);
    const err500 = await listen((_req, res) => res.writeHead(500).end());
    const slow = await listen(() => undefined); // never answers
    try {
      // the answering servers get a generous timeout (a loaded machine may take long to answer);
      // only the one that never answers is held to a short one
      const answered = await runAlerts(
        report,
        [
          { when: 'targets-missed', webhook: deadUrl },
          { when: 'targets-missed', webhook: err500.url },
        ],
        { timeoutMs: 20_000 },
      );
      const silent = await runAlerts(report, [{ when: 'targets-missed', webhook: slow.url }], { timeoutMs: 300 });
      const results = [...answered, ...silent];
      assert.equal(results[0].webhook!.ok, false);
      assert.match(results[0].webhook!.error!, /ECONNREFUSED|fetch failed/);
      assert.deepEqual(results[1].webhook, { ok: false, status: 500, error: 'HTTP 500' });
      assert.equal(results[2].webhook!.ok, false);
      assert.match(results[2].webhook!.error!, /timed out/);
    } finally {
      await close(err500.server);
      await close(slow.server);
    }
  });

  test('runs a command with the report JSON on stdin; failures and timeouts are reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-alert-'));
    const out = join(dir, 'alert.json');
    const results = await runAlerts(
      report,
      [
        { when: 'targets-missed', command: `cat > '${out}'` },
        { when: 'targets-missed', command: 'echo nope >&2; exit 3' },
        { when: 'targets-missed', command: 'sleep 30' },
      ],
      { timeoutMs: 500 },
    );
    assert.deepEqual(results[0].command, { ok: true, status: 0 });
    const written = JSON.parse(readFileSync(out, 'utf8')) as { alert: string; report: { job: string } };
    assert.equal(written.alert, 'targets-missed');
    assert.equal(written.report.job, report.job);
    assert.deepEqual(results[1].command, { ok: false, status: 3, error: 'command exited with 3: nope' });
    assert.equal(results[2].command!.ok, false);
    assert.match(results[2].command!.error!, /timed out/);
  });

  test('a bad rule is refused before any action runs', async () => {
    await assert.rejects(
      runAlerts(report, [{ when: 'targets-missed', command: 'exit 0' }, { when: 'oops' }]),
      /alert when/,
    );
  });
});
