import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI_MAIN, cliNodeFlags } from '../../src/cli/node-flags.js';

test('the sluice command runs node with --optimize-for-size, and the flags are read back from its first line', () => {
  assert.deepEqual(cliNodeFlags(), ['--optimize-for-size']);
  // Start it as the kernel does for an installed bin: env gets the rest of the line as one argument.
  const line = readFileSync(CLI_MAIN, 'utf8').split('\n', 1)[0];
  assert.ok(line.startsWith('#!/usr/bin/env '), line);
  const run = spawnSync('/usr/bin/env', [line.slice('#!/usr/bin/env '.length), CLI_MAIN, '--version'], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\d+\.\d+\.\d+/);
});
