import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJobFile, parseJob } from '../../src/job/load.js';
import { SluiceError } from '../../src/core/errors.js';

const base = {
  name: 'daily-prices',
  source: { type: 'tushare', token: 'tok-123456', api: 'daily' },
  plan: { start: '20230101', end: '20231231' },
  sink: { table: 'daily', key: ['ts_code', 'trade_date'] },
};

function refusal(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseJob(raw, env, 'job.yaml');
  } catch (err) {
    assert.ok(err instanceof SluiceError);
    assert.equal(err.code, 'SLUICE_BAD_JOB');
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected the job to be refused');
}

describe('job file validation', () => {
  test('a minimal job gets the documented defaults', () => {
    const job = parseJob(base, {}, 'job.yaml');
    assert.equal(job.sink.type, 'sqlite');
    assert.equal(job.sink.type === 'sqlite' && job.sink.path, './sluice.db');
    assert.equal(job.plan.strategy, 'auto');
    assert.deepEqual(job.plan.dateParams, { start: 'start_date', end: 'end_date' });
    assert.equal(job.execution.concurrency, 4);
    assert.equal(job.execution.maxRowsHeld, 50_000);
    assert.equal(job.source.rowCap, 6000);
    const partial = parseJob({ ...base, execution: { concurrency: 2 } }, {}, 'job.yaml');
    assert.equal(partial.execution.maxRowsHeld, 50_000);
    assert.equal(parseJob({ ...base, execution: { maxRowsHeld: 0 } }, {}, 'job.yaml').execution.maxRowsHeld, 0);
  });

  test('execution.maxRowsHeld must be an integer >= 0', () => {
    assert.match(refusal({ ...base, execution: { maxRowsHeld: -1 } }), /execution\.maxRowsHeld/);
    assert.match(refusal({ ...base, execution: { maxRowsHeld: 1.5 } }), /execution\.maxRowsHeld/);
  });

  test('an unknown key is refused by name', () => {
    assert.match(refusal({ ...base, bogus: 1 }), /job\.yaml: unknown key bogus/);
    assert.match(refusal({ ...base, source: { ...base.source, extra: true } }), /unknown key source\.extra/);
  });

  test('a wrong type names the key and the expected type', () => {
    assert.match(refusal({ ...base, source: { ...base.source, rowCap: 'many' } }), /source\.rowCap: expected number/);
  });

  test('bad and impossible dates are refused', () => {
    assert.match(refusal({ ...base, plan: { start: '2023x', end: '20231231' } }), /plan\.start/);
    assert.match(
      refusal({ ...base, plan: { start: '20230230', end: '20231231' } }),
      /plan\.start: "20230230" is not a real calendar date/,
    );
    assert.match(refusal({ ...base, plan: { start: '20240101', end: '20231231' } }), /after plan\.end/);
  });

  test('a missing table key is refused unless the catalogue knows the API', () => {
    const unknown = { ...base, source: { ...base.source, api: 'my_api' }, sink: { table: 'daily' } };
    assert.match(refusal(unknown), /sink\.key: missing/);
    assert.deepEqual(parseJob({ ...base, sink: { table: 'daily' } }, {}, 'job.yaml').sink.key, [
      'ts_code',
      'trade_date',
    ]);
  });

  test('a catalogued API gives its row cap, key and date parameters; what the job states wins', () => {
    const fina = parseJob(
      { ...base, source: { ...base.source, api: 'fina_indicator' }, sink: { table: 'f' } },
      {},
      'j',
    );
    assert.equal(fina.source.rowCap, 100);
    assert.deepEqual(fina.sink.key, ['ts_code', 'end_date', 'ann_date']);
    assert.deepEqual(fina.plan.dateParams, { start: 'start_date', end: 'end_date' });
    assert.equal(parseJob({ ...base, source: { ...base.source, api: 'monthly' } }, {}, 'j').source.rowCap, 4500);
    const stated = parseJob(
      {
        ...base,
        source: { ...base.source, api: 'monthly', rowCap: 1000 },
        plan: { ...base.plan, dateParams: { start: 'a', end: 'b' } },
        sink: { table: 'm', key: ['ts_code'] },
      },
      {},
      'j',
    );
    assert.equal(stated.source.rowCap, 1000);
    assert.deepEqual(stated.sink.key, ['ts_code']);
    assert.deepEqual(stated.plan.dateParams, { start: 'a', end: 'b' });
    // an API the catalogue does not know: 6000 and the usual parameter names
    const other = parseJob({ ...base, source: { ...base.source, api: 'my_api' } }, {}, 'j');
    assert.equal(other.source.rowCap, 6000);
    assert.deepEqual(other.plan.dateParams, { start: 'start_date', end: 'end_date' });
  });

  test('the public endpoint is HTTPS by default (the token travels in the body)', () => {
    const job = parseJob(base, {}, 'j');
    assert.equal(job.source.type === 'tushare' && job.source.url, 'https://api.tushare.pro');
    assert.equal(job.execution.waitForQuotaReset, false);
  });

  test('${VAR} reads the environment; a missing variable is an error, not ""', () => {
    const raw = { ...base, source: { ...base.source, token: '${MY_TOKEN}' } };
    const job = parseJob(raw, { MY_TOKEN: 'from-env-999' }, 'job.yaml');
    assert.equal(job.source.type === 'tushare' && job.source.token, 'from-env-999');
    assert.match(refusal(raw, {}), /source\.token: environment variable MY_TOKEN is not set/);
  });

  test('the token falls back to TUSHARE_TOKEN and is required', () => {
    const { token: _t, ...source } = base.source;
    const job = parseJob({ ...base, source }, { TUSHARE_TOKEN: 'env-token-1' }, 'job.yaml');
    assert.equal(job.source.type === 'tushare' && job.source.token, 'env-token-1');
    assert.match(refusal({ ...base, source }, {}), /source\.token/);
  });

  test('job files load from YAML and JSON; garbage is one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-job-'));
    const yamlPath = join(dir, 'job.yaml');
    writeFileSync(
      yamlPath,
      'name: a\nsource: {type: tushare, token: abcdef, api: daily}\nplan: {start: "20230101", end: "20230301"}\nsink: {table: t, key: [k]}\n',
    );
    assert.equal(loadJobFile(yamlPath, {}).job.name, 'a');
    const jsonPath = join(dir, 'job.json');
    writeFileSync(jsonPath, JSON.stringify(base));
    assert.equal(loadJobFile(jsonPath, {}).job.name, 'daily-prices');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: [unclosed\n');
    assert.throws(
      () => loadJobFile(bad, {}),
      (e: unknown) => e instanceof SluiceError && /bad\.yaml: not valid YAML/.test(e.message),
    );
    assert.throws(() => loadJobFile(join(dir, 'missing.yaml'), {}), /cannot read the job file/);
  });
});
