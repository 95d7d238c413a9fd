import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { rowsFor } from './crash-child.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'crash-child.js');
const BATCHES = 400;

/** Runs the child until it has printed `killAfter` commits (then SIGKILL), or to the end. */
function runChild(path: string, groupMs: number, killAfter: number | undefined): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, String(groupMs), String(BATCHES)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let seen = 0;
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      seen += lines.length;
      if (killAfter !== undefined && seen >= killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child exited with ${code}`));
    });
  });
}

/** Every done batch has exactly its rows; no row belongs to a batch that is not done. */
function checkExact(path: string): { done: number; rows: number } {
  const db = new Database(path, { readonly: true });
  try {
    const done = db.prepare("SELECT batch_key, rows FROM sluice_batches WHERE status = 'done'").all() as {
      batch_key: string;
      rows: number;
    }[];
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'items'").get();
    const counts = new Map<string, number>();
    if (hasTable) {
      for (const r of db.prepare('SELECT batch, count(*) AS n FROM items GROUP BY batch').all() as {
        batch: string;
        n: number;
      }[])
        counts.set(r.batch, r.n);
    }
    for (const b of done) {
      const expected = rowsFor(Number(b.batch_key.slice(1)));
      assert.equal(b.rows, expected, `journal rows of ${b.batch_key}`);
      assert.equal(counts.get(b.batch_key), expected, `table rows of ${b.batch_key}`);
      counts.delete(b.batch_key);
    }
    assert.deepEqual([...counts.keys()], [], 'rows without a done mark');
    return { done: done.length, rows: done.reduce((n, b) => n + b.rows, 0) };
  } finally {
    db.close();
  }
}

for (const groupMs of [0, 50]) {
  test(`SIGKILL between commits never leaves rows without their done mark (groupCommitMs ${groupMs})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
    try {
      const path = join(dir, 'crash.db');
      let lastDone = 0;
      for (const killAfter of [7, 31, 64, 3]) {
        assert.equal(await runChild(path, groupMs, killAfter), 'killed');
        const { done } = checkExact(path);
        assert.ok(done >= lastDone, 'done batches never go backwards');
        lastDone = done;
      }
      assert.equal(await runChild(path, groupMs, undefined), 'finished');
      const { done, rows } = checkExact(path);
      assert.equal(done, BATCHES);
      let expected = 0;
      for (let i = 0; i < BATCHES; i++) expected += rowsFor(i);
      assert.equal(rows, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
