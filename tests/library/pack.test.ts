/**
 * The packed package, as a user gets it: `npm pack`, the tarball unpacked into a scratch project's
 * node_modules/sluice, its declared dependencies linked from this repository (nothing is
 * downloaded), a TypeScript file importing 'sluice' compiled under strict settings with the
 * package's own declarations checked too, then run: it plans a range, runs it through execute()
 * and runs a job file with runJobFile(), both against the in-process emulator.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expectedRows } from '../../src/emulator/dataset.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// npm must not reach the network (no update check, no audit) while it packs
const NPM_ENV = {
  ...process.env,
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

const APP = `
import { writeFileSync } from 'node:fs';
import {
  DEMO_TOKEN,
  ErrorCodes,
  SluiceError,
  createTushareSource,
  execute,
  planJob,
  readReport,
  runJobFile,
  startEmulator,
  type BatchOutcome,
  type PlanSpec,
  type RunReport,
} from 'sluice';

// @ts-expect-error: the types are real, not any (a start date is a string)
const wrong: PlanSpec = { start: 20240101, end: '20240630' };
void wrong;
const deepImport = await import(
  // @ts-expect-error: only the entry point is exported, not the files behind it
  'sluice/dist/src/plan/job.js'
).then(
  () => 'loaded',
  (err: { code?: string }) => err.code,
);

const plan = planJob({ start: '20240101', end: '20240630', strategy: 'month' });
const emulator = await startEmulator({ symbols: 3 });
try {
  const source = createTushareSource({ url: emulator.url, token: DEMO_TOKEN, api: 'daily' });
  let executedRows = 0;
  const statuses: BatchOutcome['status'][] = [];
  for await (const outcome of execute(plan.batches, { source, concurrency: 2 })) {
    statuses.push(outcome.status);
    if (outcome.status === 'done') executedRows += outcome.rows.rowCount;
  }
  writeFileSync(
    'job.yaml',
    [
      'name: packed',
      'source: { type: tushare, url: "' + emulator.url + '", token: "\${EMU_TOKEN}", api: daily }',
      'plan: { start: "20240101", end: "20240630", strategy: month }',
      'sink: { path: ./packed.db, table: daily, key: [ts_code, trade_date] }',
    ].join('\\n'),
  );
  const { report, exitCode } = await runJobFile('job.yaml', { env: { EMU_TOKEN: DEMO_TOKEN } });
  const stored: RunReport = readReport(JSON.parse(JSON.stringify(report)));
  let badJob = '';
  try {
    await runJobFile('missing.yaml');
  } catch (err) {
    if (err instanceof SluiceError && err.code === ErrorCodes.BAD_JOB) badJob = err.message;
  }
  console.log(
    JSON.stringify({
      windows: plan.windows.length,
      statuses,
      executedRows,
      exitCode,
      status: stored.status,
      written: stored.rows.written,
      batchSizes: stored.plan.batchSizes,
      badJob,
      deepImport,
    }),
  );
} finally {
  await emulator.close();
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    outDir: 'out',
  },
  files: ['app.ts'],
};

describe('the packed package', () => {
  let dir = '';
  let app = '';
  let tarball = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-pack-'));
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      env: NPM_ENV,
    });
    tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
    app = join(dir, 'app');
    const pkgDir = join(app, 'node_modules', 'sluice');
    mkdirSync(pkgDir, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
    // the package's declared dependencies, from this repository's node_modules (no download); a
    // type it needs but does not declare fails the compile below
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const name of [...Object.keys(manifest.dependencies ?? {}), '@types/node']) {
      const link = join(app, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(app, 'app.ts'), APP);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('holds the built library, its declarations and the command, and nothing else', async () => {
    const listing = await run('tar', ['-tzf', tarball]);
    const files = listing.stdout.trim().split('\n');
    for (const f of ['package/package.json', 'package/README.md', 'package/dist/src/index.js'])
      assert.ok(files.includes(f), f);
    assert.ok(files.includes('package/dist/src/index.d.ts'));
    assert.ok(files.includes('package/dist/src/cli/main.js'), 'the bin');
    const stray = files.filter((f) => !/^package\/(package\.json|README\.md|dist\/src\/.+\.(js|d\.ts))$/.test(f));
    assert.deepEqual(stray, []);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'sluice', 'package.json'), 'utf8'));
    assert.deepEqual(manifest.exports['.'], { types: './dist/src/index.d.ts', import: './dist/src/index.js' });
    assert.ok(existsSync(join(app, 'node_modules', 'sluice', manifest.bin.sluice)));
  });

  test('imports type-check under strict settings, and the program plans and runs against the emulator', async () => {
    try {
      await run(process.execPath, [TSC, '-p', app], { cwd: app });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      assert.fail(`tsc failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    const { stdout } = await run(process.execPath, [join(app, 'out', 'app.js')], { cwd: app });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    const expected = expectedRows({ symbols: 3 }, 'daily', { start_date: '20240101', end_date: '20240630' }).length;
    assert.ok(expected > 0);
    assert.equal(result.windows, 6);
    assert.deepEqual(result.statuses, ['done', 'done', 'done', 'done', 'done', 'done']);
    assert.equal(result.executedRows, expected);
    assert.equal(result.exitCode, 0);
    assert.equal(result.status, 'succeeded');
    assert.equal(result.written, expected);
    assert.equal(typeof result.batchSizes.avg, 'number');
    assert.match(result.badJob, /missing\.yaml: cannot read the job file/);
    assert.equal(result.deepImport, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
