/**
 * The live page of a `--queue` run: `sluice run --queue --ui` with two `sluice worker` processes.
 * Its event stream (what the page draws from) shows the progress move while the workers fetch, and
 * its last message carries the stored report's figures.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { finished, runCli, spawnCli } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { workersFixture } from './workers-fixture.js';

interface Message {
  readonly final: boolean;
  readonly status: string;
  readonly sections: Record<string, string>;
}

/** The URL the run prints ("live page at URL") on stderr. */
function liveUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /live page at (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`the run ended before printing its address: ${err}`)));
  });
}

/** Every message of the page's event stream until the final one. */
async function readStream(url: string): Promise<Message[]> {
  // the address is printed before the run is planned: until then the stream answers 404
  let res = await fetch(new URL('/events', url));
  for (let i = 0; i < 100 && res.status === 404; i += 1) {
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 100));
    res = await fetch(new URL('/events', url));
  }
  assert.equal(res.status, 200);
  const messages: Message[] = [];
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) messages.push(JSON.parse(data) as Message);
    }
  }
  return messages;
}

/** The value shown for `data-figure="name"` in a message's sections. */
function figure(m: Message, name: string): string | undefined {
  const html = Object.values(m.sections).join('');
  return new RegExp(`data-figure="${name}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

const doneOf = (s: string | undefined) => Number((s ?? '').split('/')[0].replace(/\D/g, ''));

describe('sluice run --queue --ui', () => {
  const f = workersFixture();

  test('the live page follows the workers and ends on the stored report', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = f.job('live');
    const workers = [f.worker(name), f.worker(name)];
    const child = spawnCli(['run', path, '--queue', REDIS_URL, '--ui', '0', '--quiet'], {
      TUSHARE_TOKEN: f.emu().token,
    });
    const exit = finished(child);
    try {
      const url = await liveUrl(child);
      assert.ok(url.startsWith('http://127.0.0.1:'), url);
      const messages = await readStream(url);
      const r = await exit;
      assert.equal(r.code, 0, r.stderr);

      const live = messages.filter((m) => !m.final);
      const last = messages[messages.length - 1];
      assert.ok(last.final, 'the stream ends with the final message');
      const seen = live.map((m) => doneOf(figure(m, 'done')));
      assert.ok(new Set(seen).size >= 2, `progress moved during the run: ${seen.join(', ')}`);

      const stored = JSON.parse((await runCli(['report', 'latest', '--db', db, '--json'])).stdout);
      const int = (n: number) => Math.round(n).toLocaleString('en-US');
      assert.equal(last.status, stored.status);
      assert.equal(figure(last, 'done'), `${int(stored.batches.done)} / ${int(stored.batches.total)}`);
      assert.equal(figure(last, 'rows'), int(stored.rows.written));
      assert.equal(figure(last, 'calls'), int(stored.calls.total));
      assert.ok(stored.calls.total > 0 && stored.batches.done === stored.batches.total);
      f.assertExact(db);
    } finally {
      child.kill();
      await f.stop(workers);
    }
  });
});
