import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteStore } from '../../src/sinks/sqlite/store.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'writer-child.js');

test(
  'a second process can write the same SQLite file while a group-commit writer keeps committing',
  { timeout: 55_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-contention-'));
    const path = join(dir, 's.db');
    const a = createSqliteStore({ path, table: { table: 'items', key: ['id'] }, groupCommitMs: 2000 });
    await a.open();
    const keys = Array.from({ length: 20_000 }, (_, i) => ({ key: `a${i}`, params: { i } }));
    await a.createRun({ id: 'ra', job: 'first', startedAt: new Date().toISOString() }, keys);
    const fields = ['id', 'batch', 'v'];
    const commitOne = async (i: number): Promise<void> => {
      const items = [[`a-${i}`, `a${i}`, i]];
      await a.commit('ra', keys[i], { fields, pages: [{ fields, items }], rowCount: 1 }, 1);
    };
    // Store A holds a group open before the second writer starts.
    await commitOne(0);
    const child = spawn(process.execPath, [CHILD, path, 'rb'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    let exited = false;
    const done = new Promise<void>((resolve) =>
      child.on('exit', () => {
        exited = true;
        resolve();
      }),
    );
    let committed = 1;
    try {
      while (!exited && committed < keys.length) {
        await commitOne(committed++);
        await sleep(2); // a short pause, as between fetches
      }
      await done;
    } finally {
      if (!exited) child.kill('SIGKILL');
      await a.close();
    }
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ok?: boolean; error?: string };
    try {
      assert.deepEqual(result, { ok: true });
      assert.ok(committed > 1, 'store A kept committing while B wrote');
      const check = createSqliteStore({ path, mustExist: true });
      await check.open();
      assert.deepEqual(
        (await check.batches('rb')).map((b) => b.status),
        ['done', 'done'],
      );
      assert.equal((await check.batches('ra', ['done'])).length, committed);
      await check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
