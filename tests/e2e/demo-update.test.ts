/**
 * The second half of `sluice demo`: the emulated data moves on and the same job runs again as an
 * update, fetching only the new and looked-back days; a second demo in the same database moves on
 * from where the first left it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/e2e.js';

const UPDATE = /the update took (\d+) calls, against at least (\d+) for its days/;

test('the demo runs the job again as an update: about the fewest calls, twice in one database', async () => {
  const dir = tempDir('sluice-demo-update-');
  try {
    const args = ['demo', '--symbols', '6', '--db', join(dir, 'demo.db'), '--html', join(dir, 'demo.html'), '--json'];
    const served: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stderr);
      JSON.parse(r.stdout); // one JSON document on stdout: the back-fill's report
      const m = UPDATE.exec(r.stderr);
      assert.ok(m, r.stderr);
      const [calls, least] = [Number(m[1]), Number(m[2])];
      assert.equal(least, 6, 'one call per symbol');
      // 1 % injected faults may cost a retry
      assert.ok(calls >= least && calls <= least + 2, `update calls ${calls}`);
      served.push(/now serves data to (\d{8})/.exec(r.stderr)?.[1] ?? '');
    }
    assert.ok(served[1] > served[0], `the second demo moves on from the first: ${served.join(' -> ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
