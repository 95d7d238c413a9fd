/**
 * `sluice demo` (what `npm start` runs) uses the default plan and prints its page calls next to
 * what the calendar rule would have spent.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/e2e.js';

test('the demo runs the default plan and prints its calls against the calendar rule', async () => {
  const dir = tempDir('sluice-demo-');
  try {
    const r = await runCli([
      'demo',
      '--symbols',
      '8',
      '--db',
      join(dir, 'demo.db'),
      '--html',
      join(dir, 'demo.html'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { plan: { strategy: string } };
    assert.match(report.plan.strategy, /^auto/);
    const m = /the default plan \(auto\) made (\d+) page calls; the calendar rule \(smart\) would have made (\d+)/.exec(
      r.stderr,
    );
    assert.ok(m, r.stderr);
    const auto = Number(m[1]);
    const smart = Number(m[2]);
    // 8 symbols x 3 years: one window per symbol (plus the probe's) against half-years
    assert.ok(auto >= 8 && auto <= 12, `auto ${auto}`);
    assert.ok(smart >= 8 * 6, `smart ${smart}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
