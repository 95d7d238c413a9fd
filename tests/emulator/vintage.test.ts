import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checksum, parseRevisions, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { emulatorOptionsFromFlags } from '../../src/cli/commands/emulate.js';
import { createTushareSource } from '../../src/sources/index.js';
import { batchOf, collect, simpleCall } from '../helpers/simple-call.js';

const JAN = { start_date: '20240101', end_date: '20240131' };

async function served(emu: Emulator, params: Record<string, unknown>, api = 'daily'): Promise<unknown[][]> {
  const source = createTushareSource({ url: emu.url, token: emu.token, api });
  const pages = await collect(source, batchOf(params), simpleCall());
  return pages.flatMap((p) => p.items as unknown[][]);
}

const dates = (rows: unknown[][]): string[] => [...new Set(rows.map((r) => String(r[1])))].sort();

describe('emulator vintage: asOf and revisions', () => {
  test('asOf cuts market data at that day; setAsOf moves it on; the ground truth follows', async () => {
    const emu = await startEmulator({ symbols: 6, latencyMs: 0, asOf: '20240112' });
    try {
      const first = await served(emu, JAN);
      assert.equal(dates(first).at(-1), '20240112');
      assert.equal(checksum(first).sum, checksum(emu.dataset.rows('daily', JAN)).sum);
      emu.setAsOf('20240119');
      const later = await served(emu, JAN);
      assert.equal(dates(later).at(-1), '20240119');
      assert.ok(later.length > first.length);
      assert.equal(checksum(later).sum, checksum(emu.dataset.rows('daily', JAN)).sum);
      // Days served before are served the same (no revision).
      const old = later.filter((r) => String(r[1]) <= '20240112');
      assert.equal(checksum(old).sum, checksum(first).sum);
      assert.deepEqual(emu.vintage(), { asOf: '20240119' });
    } finally {
      await emu.close();
    }
  });

  test('revisions change the values of exactly the last N trading days through a day, deterministically', async () => {
    const plain = await startEmulator({ symbols: 6, latencyMs: 0, seed: 9 });
    const revised = await startEmulator({
      symbols: 6,
      latencyMs: 0,
      seed: 9,
      asOf: '20240131',
      revisions: { days: 3, through: '20240119' },
    });
    try {
      assert.deepEqual(revised.vintage(), { asOf: '20240131', revised: { from: '20240117', to: '20240119' } });
      const a = await served(plain, JAN);
      const b = await served(revised, JAN);
      assert.equal(a.length, b.length);
      const differ = new Set<string>();
      for (let i = 0; i < a.length; i++) {
        assert.equal(a[i][0], b[i][0]);
        assert.equal(a[i][5], b[i][5], 'close stands');
        if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) differ.add(String(a[i][1]));
      }
      assert.deepEqual([...differ].sort(), ['20240117', '20240118', '20240119']);
      assert.equal(checksum(b).sum, checksum(revised.dataset.rows('daily', JAN)).sum);
      // Same seed, same revision: same values.
      assert.equal(checksum(b).sum, checksum(await served(revised, JAN)).sum);
      revised.setRevisions(undefined);
      assert.equal(checksum(await served(revised, JAN)).sum, checksum(a).sum);
      // Default `through` is the asOf day.
      revised.setAsOf('20240110');
      revised.setRevisions({ days: 2 });
      assert.deepEqual(revised.vintage().revised, { from: '20240109', to: '20240110' });
    } finally {
      await plain.close();
      await revised.close();
    }
  });

  test('fina_indicator: announcements after asOf are not served; restated reports differ', async () => {
    const emu = await startEmulator({ symbols: 4, latencyMs: 0 });
    try {
      const params = { ts_code: '000001.SZ', start_date: '20200101', end_date: '20241231' };
      const all = await served(emu, params, 'fina_indicator');
      emu.setAsOf('20230630');
      const cut = await served(emu, params, 'fina_indicator');
      assert.ok(cut.length < all.length && cut.length > 0);
      assert.ok(cut.every((r) => String(r[1]) <= '20230630'));
      emu.setRevisions({ days: 250 });
      const restated = await served(emu, params, 'fina_indicator');
      assert.equal(restated.length, cut.length);
      assert.notEqual(checksum(restated).sum, checksum(cut).sum);
      assert.equal(checksum(restated).sum, checksum(emu.dataset.rows('fina_indicator', params)).sum);
    } finally {
      await emu.close();
    }
  });

  test('flags: --as-of and --revisions N[@YYYYMMDD]; bad values are usage errors', () => {
    const opts = emulatorOptionsFromFlags({ asOf: '2024-01-12', revisions: '5@20240110' });
    assert.equal(opts.asOf, '20240112');
    assert.deepEqual(opts.revisions, { days: 5, through: '20240110' });
    assert.deepEqual(parseRevisions('3'), { days: 3 });
    assert.throws(() => parseRevisions('x@1'), /--revisions/);
    assert.throws(() => emulatorOptionsFromFlags({ asOf: '2024011' }), /--as-of/);
  });
});
