import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parseDay } from '../../src/core/dates.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function sluice(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PlanJson {
  strategy: string;
  start: string;
  end: string;
  windows: { start: string; end: string }[];
  stats: Record<string, unknown>;
}

describe('sluice plan (built CLI)', () => {
  test('auto with a row cap is labelled online: where it starts, and an estimate only with a density', () => {
    const r = sluice('plan', '--start', '20190101', '--end', '20201231', '--row-cap', '6000', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as PlanJson & { resolved: string; online?: boolean; simulated?: unknown };
    assert.equal(out.strategy, 'auto');
    assert.equal(out.resolved, 'online');
    assert.equal(out.online, true);
    assert.deepEqual(out.windows, [{ start: '20201231', end: '20201231' }], 'the probe');
    assert.equal(out.simulated, undefined);
    const text = sluice(
      'plan',
      '--start',
      '20190101',
      '--end',
      '20201231',
      '--row-cap',
      '6000',
      '--rows-per-day',
      '1800',
    );
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /online {10}the windows above are where the run starts/);
    assert.match(text.stdout, /estimate {8}\d+ batches, \d+ rows, \d+ calls \(if the density is exact\)/);
  });

  test('--json prints the contract shape; windows cover 20230115..20240620 once each', () => {
    const r = sluice('plan', '--start', '20230115', '--end', '20240620', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout) as PlanJson;
    // the default (auto) with no row cap: the calendar rule's windows
    assert.equal(out.strategy, 'auto');
    assert.equal(out.start, '20230115');
    assert.equal(out.end, '20240620');
    assert.equal(out.windows[0].start, '20230115');
    assert.equal(out.windows[out.windows.length - 1].end, '20240620');
    let next = parseDay('20230115');
    for (const w of out.windows) {
      assert.equal(parseDay(w.start), next, `window ${w.start} starts the day after the previous one`);
      next = parseDay(w.end) + 1;
    }
    assert.equal(next, parseDay('20240620') + 1);
    for (const key of [
      'batchCount',
      'generationMs',
      'timeSpanDays',
      'baselineBatches',
      'reductionRate',
      'batchesPerDay',
      'estimatedRows',
      'estimatedCalls',
    ]) {
      assert.ok(key in out.stats, key);
    }
    assert.equal(out.stats.batchCount, 6);
    assert.equal(out.stats.reductionRate, 98.85);
  });

  test('without --json: a table and a summary on stdout', () => {
    const r = sluice('plan', '--start', '2024-01-01', '--end', '2024-03-31', '--strategy', 'month');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2024-02-01\s+2024-02-29\s+29/);
    assert.match(r.stdout, /batches\s+3 vs 91 daily batches: 96\.7% fewer/);
  });

  test('rows strategy with a calendar file and a row cap estimates rows and calls', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    const cal = join(dir, 'cal.csv');
    writeFileSync(cal, 'cal_date,is_open\n20240101,0\n20240102,1\n20240103,1\n20240104,1\n20240105,1\n');
    const r = sluice(
      'plan',
      '--start',
      '20240101',
      '--end',
      '20240105',
      '--strategy',
      'rows',
      '--rows-per-day',
      '4000',
      '--row-cap',
      '6000',
      '--max-offset',
      '0',
      '--calendar',
      cal,
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as PlanJson;
    assert.equal(out.stats.estimatedRows, 16000);
    assert.equal(out.stats.estimatedCalls, 4);
    assert.equal(out.stats.baselineBatches, 4);
    assert.deepEqual(out.windows[0], { start: '20240101', end: '20240102' });
  });

  test("with a row cap and no --max-offset, windows page to Tushare's offset limit as a tushare job run does", () => {
    // 5,000 rows a day under a 6,000-row cap: one-call windows would hold one trading day each;
    // paging to offset 100,000 a window holds up to 102,000 rows (20 trading days).
    const args = ['--start', '20100101', '--end', '20251231', '--strategy', 'rows', '--rows-per-day', '5000'];
    const paged = JSON.parse(sluice('plan', ...args, '--row-cap', '6000', '--json').stdout) as PlanJson;
    assert.equal(paged.windows.length, 209);
    assert.ok(paged.windows.slice(0, -1).every((w) => parseDay(w.end) - parseDay(w.start) >= 20));
    const once = sluice('plan', ...args, '--row-cap', '6000', '--max-offset', '0', '--json');
    assert.equal((JSON.parse(once.stdout) as PlanJson).windows.length, 4174);
  });

  test('bad input: exit 2, nothing on stdout, one line on stderr naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--start', '20230230', '--end', '20240620'], /--start: "20230230" is not a real calendar date/],
      [['--start', '20230101', '--end', 'soon'], /--end: expected a date/],
      [['--start', '20230102', '--end', '20230101'], /--start 20230102 is after --end 20230101/],
      [['--start', '20230101', '--end', '20230201', '--strategy', 'fortnight'], /--strategy: expected one of/],
      [['--start', '20230101', '--end', '20230201', '--strategy', 'rows'], /needs a row density/],
      [['--start', '20230101', '--end', '20230201', '--row-cap', '0'], /--row-cap: expected a whole number/],
      [['--start', '20230101', '--end', '20230201', '--rows-per-day', 'lots'], /--rows-per-day: expected a number/],
      [
        ['--start', '20230101', '--end', '20230201', '--rows-per-day', '1', '--density', 'x.csv'],
        /--rows-per-day and --density/,
      ],
      [['--start', '20230101', '--end', '20230201', '--calendar', '/nonexistent/cal.txt'], /--calendar: cannot read/],
      [['--start', '20230101', '--end', '20230201', '--frequency', 'hourly'], /--frequency: expected daily or monthly/],
      [['--end', '20230201'], /--start/],
    ];
    for (const [args, re] of cases) {
      const r = sluice('plan', ...args, '--json');
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0], re);
    }
  });

  test('--help exits 0 and lists the options', () => {
    const r = sluice('plan', '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--rows-per-day/);
    assert.match(r.stdout, /--max-offset/);
  });
});
