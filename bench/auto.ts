/**
 * Calls against the lower bound for the datasets of issue 11 (2,000-symbol emulator, row cap 6,000
 * for daily and 100 for fina_indicator, offset limit 100,000): a first run with nothing stated
 * (the default `auto` plan), the same job again with --full with nothing stated (auto, now with the density
 * learned from the first run as its prior), then with `strategy: rows` (the same learned density).
 * Every table is checked against the emulator's generator.
 *
 *   node dist/bench/auto.js [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ISSUE_CASES, caseEmulator, runCase } from './helpers/calls-cases.js';

export interface AutoBenchRow {
  readonly dataset: string;
  readonly lowerBound: number;
  readonly firstCalls: number;
  readonly firstRatio: number;
  readonly againCalls: number;
  readonly againRatio: number;
  readonly learnedCalls: number;
  readonly learnedRatio: number;
  readonly exact: boolean;
  readonly seconds: number;
}

export async function benchAuto(): Promise<AutoBenchRow[]> {
  const out: AutoBenchRow[] = [];
  for (const c of ISSUE_CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-auto-'));
    const emu = await caseEmulator(c);
    const t0 = performance.now();
    try {
      const first = await runCase(emu, c, dir);
      // later runs with --full: an incremental run would skip every day the first one landed
      const again = await runCase(emu, c, dir, {}, { full: true });
      const learned = await runCase(emu, c, dir, { strategy: 'rows' }, { full: true });
      out.push({
        dataset: c.name,
        lowerBound: first.lowerBound,
        firstCalls: first.calls,
        firstRatio: first.ratio,
        againCalls: again.calls,
        againRatio: again.ratio,
        learnedCalls: learned.calls,
        learnedRatio: learned.ratio,
        exact: [first, again, learned].every((r) => r.exact && r.exitCode === 0),
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      });
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchAuto();
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
    console.log('dataset                                  bound  first  ratio  again  ratio  rows  ratio  exact  s');
    const n = (x: number, w: number) => String(x).padStart(w);
    for (const r of rows)
      console.log(
        `${r.dataset.padEnd(40)} ${n(r.lowerBound, 5)}  ${n(r.firstCalls, 5)}  ${r.firstRatio.toFixed(2).padStart(5)}  ${n(r.againCalls, 5)}  ${r.againRatio.toFixed(2).padStart(5)}  ${n(r.learnedCalls, 4)}  ${r.learnedRatio.toFixed(2).padStart(5)}  ${String(r.exact).padStart(5)}  ${r.seconds}`,
      );
  }
}
