/**
 * Bad input is refused with exit 2 and one line, before anything is written: no database file,
 * no run left behind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/e2e.js';

const dir = tempDir('sluice-input-');

function job(name: string, patch: Record<string, unknown>): { path: string; db: string } {
  const db = join(dir, `${name}.db`);
  const body = {
    name,
    source: { type: 'tushare', url: 'http://127.0.0.1:9', token: 'tok-input-1234', api: 'daily' },
    plan: { start: '20230101', end: '20230201' },
    sink: { path: db, table: 'daily', key: ['ts_code', 'trade_date'] },
    ...patch,
  };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(body));
  return { path, db };
}

async function refused(args: string[], db: string, pattern: RegExp): Promise<void> {
  const r = await runCli(args);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stdout, '');
  assert.ok(!existsSync(db), 'no database was created');
}

describe('bad input writes nothing', () => {
  test('a file source whose file is missing', async () => {
    const j = job('nofile', { source: { type: 'file', path: join(dir, 'missing.csv') } });
    await refused(['run', j.path], j.db, /source\.path: .*missing\.csv: no such file/);
  });

  test('an empty each.values list', async () => {
    const j = job('noeach', { plan: { start: '20230101', end: '20230201', each: { param: 'ts_code', values: [] } } });
    await refused(['run', j.path], j.db, /plan\.each\.values/);
  });

  test('an --html file in a folder that does not exist', async () => {
    const j = job('nohtml', {});
    await refused(
      ['run', j.path, '--html', join(dir, 'no', 'such', 'report.html')],
      j.db,
      /--html: directory .* does not exist/,
    );
  });

  test('a literal token with --queue (it would travel through Redis)', async () => {
    const j = job('literal', {});
    const r = await runCli(['run', j.path, '--queue', 'redis://127.0.0.1:6379']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!r.stderr.includes('tok-input-1234'), 'the token is not echoed');
    assert.ok(!existsSync(j.db), 'no database was created');
  });

  test('a sink folder that does not exist', async () => {
    const j = job('nodir', { sink: { path: join(dir, 'nope', 'x.db'), table: 'daily', key: ['ts_code'] } });
    await refused(['run', j.path], join(dir, 'nope', 'x.db'), /sink\.path: directory .* does not exist/);
  });
});
