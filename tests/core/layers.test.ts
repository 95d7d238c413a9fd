/**
 * The house's one-way arrows, checked on the source: nothing below the CLI imports cli/, and the
 * library has one output path (core/log.ts) and no logger dependency of its own.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT = /^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm;

test('nothing outside src/cli imports from src/cli', () => {
  const upward: string[] = [];
  for (const file of sources(SRC)) {
    const room = relative(SRC, file).split('/')[0];
    if (room === 'cli') continue;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = relative(SRC, resolve(join(file, '..'), m[1]));
      if (target.startsWith('cli/')) upward.push(`${relative(SRC, file)} -> ${m[1]}`);
    }
  }
  assert.deepEqual(upward, []);
});

test('one output path: no logger library; only core/log.ts (and commander in cli/main.ts) writes to stdout or stderr', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(pkg.dependencies.pino, undefined);
  // code lines only: the TSDoc examples of the public API may print
  const code = (f: string): string =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
      .join('\n');
  const writers = sources(SRC)
    .filter((f) => /process\.(stdout|stderr)\.write\(|console\.(log|error|warn)\(/.test(code(f)))
    .map((f) => relative(SRC, f));
  assert.deepEqual(writers.sort(), ['cli/main.ts', 'core/log.ts']);
});
