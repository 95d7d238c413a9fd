import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** Start `sluice emulate`, wait for its JSON line, and return the child and its URL. */
async function start(args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'emulate', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      try {
        resolve((JSON.parse(stdout) as { url: string }).url);
      } catch {
        // not complete yet
      }
    });
    child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
  });
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

describe('sluice emulate', () => {
  test('serves the protocol, prints its URL and the demo token on stderr, and exits 0 on SIGTERM', async () => {
    const emu = await start([
      '--seed',
      '3',
      '--symbols',
      '5',
      '--rate',
      '2',
      '--interval-ms',
      '60000',
      '--window',
      'sliding',
    ]);
    const call = () =>
      fetch(emu.url, {
        method: 'POST',
        body: JSON.stringify({ api_name: 'daily', token: 'sluice-demo-token', params: { trade_date: '20230315' } }),
      }).then((r) => r.json() as Promise<{ code: number; data: { items: unknown[] } | null }>);
    const first = await call();
    assert.equal(first.code, 0);
    assert.ok(first.data!.items.length > 0 && first.data!.items.length <= 5);
    await call();
    const refused = await call();
    assert.equal(refused.code, 40203);
    emu.child.kill('SIGTERM');
    assert.equal(await emu.exited, 0);
    const { stderr } = emu.output();
    assert.match(stderr, new RegExp(`listening on ${emu.url.replace(/[.]/g, '\\.')}`));
    assert.match(stderr, /sluice-demo-token/);
    assert.match(stderr, /stopped \(SIGTERM\): 3 calls, \d+ rows, 1 rate refusals/);
  });

  test('a custom token is accepted but never printed', async () => {
    const token = 'my-private-token-777';
    const emu = await start(['--token', token]);
    const ok = await fetch(emu.url, {
      method: 'POST',
      body: JSON.stringify({ api_name: 'trade_cal', token, params: {} }),
    }).then((r) => r.json() as Promise<{ code: number }>);
    assert.equal(ok.code, 0);
    emu.child.kill('SIGINT');
    assert.equal(await emu.exited, 0);
    const { stdout, stderr } = emu.output();
    assert.ok(!stdout.includes(token) && !stderr.includes(token));
  });

  test('bad flags exit 2 with one line naming the flag', () => {
    for (const [args, flag] of [
      [['--port', '-1'], '--port'],
      [['--rate', '0'], '--rate'],
      [['--interval-ms', '100'], '--interval-ms'],
      [['--rate', '5', '--window', 'rolling'], '--window'],
      [['--faults', 'all:7'], '--faults'],
      [['--symbols', '0'], '--symbols'],
      [['--seed', 'x'], '--seed'],
      [['--latency-ms', '-3'], '--latency-ms'],
      [['--knee', '0'], '--knee'],
      [['--token', 'ab'], '--token'],
      [['--as-of', '20230230'], '--as-of'],
      [['--revisions', 'five'], '--revisions'],
    ] as const) {
      const r = spawnSync(process.execPath, [MAIN, 'emulate', ...args], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].includes(flag), lines[0]);
      assert.equal(r.stdout, '');
    }
  });
});
