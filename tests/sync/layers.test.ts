/**
 * The sync room's arrows: src/sync builds on job/, plan/, sources/, sinks/, report/ and core/ (and
 * the emulator, for its demo); only the CLI and the package entry point import it.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve('src');
const IMPORT = /^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm;
const ALLOWED = new Set(['core', 'job', 'plan', 'sources', 'sinks', 'report', 'emulator', 'sync']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)]
    .map((m) => m[1])
    .filter((p) => p.startsWith('.'))
    .map((p) => relative(SRC, resolve(join(file, '..'), p)));
}

test('src/sync imports only the rooms below it', () => {
  const wrong = sources(join(SRC, 'sync')).flatMap((f) =>
    imports(f)
      .filter((t) => !ALLOWED.has(t.split('/')[0]))
      .map((t) => `${relative(SRC, f)} -> ${t}`),
  );
  assert.deepEqual(wrong, []);
});

test('only the CLI and the entry point import src/sync', () => {
  const users = sources(SRC)
    .filter((f) => !relative(SRC, f).startsWith('sync/'))
    .filter((f) => imports(f).some((t) => t.startsWith('sync/')))
    .map((f) => relative(SRC, f).split('/')[0]);
  assert.deepEqual([...new Set(users)].sort(), ['cli', 'index.ts']);
});
