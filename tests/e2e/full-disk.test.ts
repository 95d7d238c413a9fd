/**
 * A really full disk (a tiny tmpfs; needs root, skipped otherwise): the run says the disk is full,
 * names the file, marks the batches of the lost group failed, and does not end "succeeded".
 * (tests/sinks/sqlite-group-failure.test.ts covers the same error without root, through SQLite's
 * own size limit.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runCli, tempDir, writeDailyJob } from '../helpers/e2e.js';

describe('a full disk', () => {
  const dir = tempDir('sluice-full-');
  const mnt = tempDir('sluice-tmpfs-');
  let mounted = false;
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 2, symbols: 50 });
    if (process.getuid?.() !== 0) return;
    try {
      // room for the journal, not for a year of prices of 50 symbols
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt], { stdio: 'ignore' });
      mounted = true;
    } catch {
      /* no mount here: the test skips */
    }
  });
  after(async () => {
    await emu.close();
    if (mounted) execFileSync('umount', [mnt], { stdio: 'ignore' });
  });

  test('at the first commit: the disk is named, the batches failed, the run not succeeded', (t) =>
    (async () => {
      if (!mounted) {
        t.skip('needs root and mount (a tiny tmpfs)');
        return;
      }
      const db = join(mnt, 'full.db');
      const job = writeDailyJob(dir, {
        name: 'full',
        url: emu.url,
        token: emu.token,
        db,
        start: '20200101',
        end: '20201231',
        strategy: 'month',
      });
      const r = await runCli(['run', job, '--quiet']);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`the disk holding ${db} is full`), r.stderr);
      assert.doesNotMatch(r.stderr, /no such table|internal error/);
      assert.doesNotMatch(r.stderr, /succeeded/);
      const conn = new Database(db, { readonly: true });
      const failed = conn.prepare("SELECT last_error FROM sluice_batches WHERE status = 'failed'").all() as {
        last_error: string;
      }[];
      conn.close();
      // (how many batches a group held depends on timing: at least the lost group is failed, named)
      assert.ok(failed.length > 0);
      for (const f of failed) assert.match(f.last_error, /the disk holding .* is full/);
    })());
});
