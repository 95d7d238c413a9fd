import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryMonitor, ResourceSampler, growthBetween } from '../../src/monitor/memory.js';

const MB = 1024 * 1024;

describe('ResourceSampler', () => {
  test('start, peak and growth come from the samples', () => {
    let t = 0;
    const rss = [100, 140, 180, 120];
    let i = 0;
    const s = new ResourceSampler({ now: () => t, read: () => ({ rss: rss[i] * MB, heapUsed: (rss[i] * MB) / 2 }) });
    for (i = 0; i < rss.length; i++, t += 1000) s.sample();
    const st = s.stats();
    assert.equal(st.samples, 4);
    assert.equal(st.startRssMb, 100);
    assert.equal(st.peakRssMb, 180);
    assert.equal(st.lastRssMb, 120);
    assert.equal(st.rssGrowthMb, 80);
    assert.equal(st.peakHeapMb, 90);
    assert.deepEqual(
      st.timeline.map((p) => p.tMs),
      [0, 1000, 2000, 3000],
    );
  });

  test('the timeline stays bounded on long runs and still spans the whole run', () => {
    let t = 0;
    const s = new ResourceSampler({ now: () => t, read: () => ({ rss: 50 * MB, heapUsed: MB }), maxPoints: 50 });
    for (let k = 0; k < 10_000; k++, t += 1000) s.sample();
    const tl = s.stats().timeline;
    assert.ok(tl.length <= 51, `points ${tl.length}`);
    assert.equal(tl[0].tMs, 0);
    assert.ok(tl[tl.length - 1].tMs > 9_000_000 * 0.9);
  });

  test('the interval timer does not keep the process alive', () => {
    const s = new ResourceSampler({ intervalMs: 60_000 }).start();
    const timer = (s as unknown as { timer: NodeJS.Timeout }).timer;
    assert.equal(timer.hasRef(), false);
    s.stop();
    assert.equal(s.stats().samples, 1);
  });
});

describe('MemoryMonitor', () => {
  test('snapshots carry v8 heap spaces and growth is measured between the last two', () => {
    const m = new MemoryMonitor();
    assert.equal(m.analyzeGrowth(), null);
    m.snapshot('before');
    const keep: number[][] = [];
    for (let i = 0; i < 200; i++) keep.push(new Array(10_000).fill(i));
    const after = m.snapshot('after');
    assert.ok(Object.keys(after.spaces).includes('old_space'));
    const g = m.analyzeGrowth()!;
    assert.equal(g.from, 'before');
    assert.equal(g.to, 'after');
    assert.ok(g.growthMb > 5, `growth ${g.growthMb}`); // 2M numbers in arrays ~ 16 MB
    assert.equal(g.totalMb, after.heapUsedMb);
    assert.ok(keep.length === 200);
  });

  test('writeHeapSnapshot writes a v8 heap snapshot file only when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-heap-'));
    const file = join(dir, 'run.heapsnapshot');
    const path = new MemoryMonitor().writeHeapSnapshot(file);
    assert.equal(path, file);
    assert.ok(statSync(file).size > 100_000);
    assert.match(readFileSync(file, 'utf8').slice(0, 200), /"snapshot"/);
    rmSync(dir, { recursive: true });
  });

  test('growthBetween orders spaces by growth and counts spaces missing on one side as 0', () => {
    const a = { label: 'a', tMs: 0, rssMb: 0, heapUsedMb: 10, heapTotalMb: 20, spaces: { old_space: 5, new_space: 2 } };
    const b = {
      label: 'b',
      tMs: 1,
      rssMb: 0,
      heapUsedMb: 14,
      heapTotalMb: 20,
      spaces: { old_space: 8, code_space: 1 },
    };
    const g = growthBetween(a, b);
    assert.deepEqual(g.spaces, [
      { space: 'old_space', growthMb: 3 },
      { space: 'code_space', growthMb: 1 },
      { space: 'new_space', growthMb: -2 },
    ]);
    assert.equal(g.growthMb, 4);
  });
});
