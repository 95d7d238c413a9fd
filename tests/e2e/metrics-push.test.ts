/**
 * Metrics at the end of a run are not lost: they are pushed to a Pushgateway (here a local server
 * speaking its protocol: PUT /metrics/job/<job> with the Prometheus text), and /metrics stays up
 * for --metrics-linger after the run, showing its final counts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { finished, runCli, spawnCli, tempDir, writeDailyJob } from '../helpers/e2e.js';

interface Push {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics at the end of a run', () => {
  let emu: Emulator;
  let gateway: Server;
  let gatewayUrl: string;
  const pushes: Push[] = [];
  const dir = tempDir('sluice-push-');
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 8, symbols: 4 });
    gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        pushes.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body });
        // the Pushgateway answers 200 to a good push; this one refuses a job named "refused"
        if ((req.url ?? '').includes('/job/refused')) res.writeHead(500).end('push refused for the test');
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  after(async () => {
    await emu.close();
    await new Promise<void>((r) => gateway.close(() => r()));
  });

  const job = (name: string) =>
    writeDailyJob(dir, {
      name,
      url: emu.url,
      token: emu.token,
      db: join(dir, `${name}.db`),
      start: '20200101',
      end: '20200630',
      strategy: 'month',
    });

  test('--pushgateway: the run pushes its metrics at the end, job label = the job name', async () => {
    const r = await runCli(['run', job('pushed-job'), '--json', '--pushgateway', gatewayUrl]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const push = pushes.find((p) => p.path.startsWith('/metrics/job/pushed-job'));
    assert.ok(push, JSON.stringify(pushes.map((p) => p.path)));
    assert.equal(push.method, 'PUT');
    assert.equal(push.path, '/metrics/job/pushed-job');
    assert.match(push.contentType ?? '', /^text\/plain/);
    assert.match(push.body, /^# HELP sluice_calls_total/m);
    assert.equal(metric(push.body, 'sluice_calls_total{api="daily",outcome="ok"}'), report.calls.total);
    assert.equal(metric(push.body, 'sluice_calls_total{api="daily",outcome="fatal"}'), 0);
    assert.equal(metric(push.body, `sluice_run_info{run_id="${report.runId}",job="pushed-job"}`), 1);
    assert.equal(metric(push.body, 'sluice_run_batches{state="done"}'), 6);
    assert.equal(metric(push.body, 'sluice_run_batches{state="planned"}'), 6);
    assert.equal(metric(push.body, 'sluice_upstream_answers_total{api="daily",code="ok"}'), report.calls.total);
    assert.match(r.stderr, /metrics pushed to http:\/\/127\.0\.0\.1:\d+/);
  });

  test('a refused push is named, and the run keeps its exit code', async () => {
    const r = await runCli(['run', job('refused'), '--quiet', '--pushgateway', gatewayUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /could not push metrics to http:\/\/127\.0\.0\.1:\d+: push failed with status 500/);
  });

  test('a --pushgateway that is not a URL is exit 2 before the run', async () => {
    const r = await runCli(['run', job('bad-url'), '--pushgateway', 'not a url']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--pushgateway: expected an http\(s\) URL/);
  });

  test('/metrics stays up for --metrics-linger after the run, with its final counts', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const child = spawnCli([
      'run',
      job('linger'),
      '--quiet',
      '--metrics-port',
      String(port),
      '--metrics-linger',
      '30s',
    ]);
    const exit = finished(child);
    let said = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        said += d.toString();
        if (/\(linger\) succeeded/.test(said)) resolve();
      });
    });
    assert.match(said, /metrics stay at http:\/\/127\.0\.0\.1:\d+\/metrics for 30 s/);
    assert.match(said, /Ctrl-C ends the wait/);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.equal(metric(text, 'sluice_run_batches{state="done"}'), 6, 'the run is over; its last counts are there');
    child.kill('SIGINT'); // ends the wait; the run's exit code stands
    const r = await exit;
    assert.equal(r.code, 0, r.stderr);
  });
});
