/**
 * The Node.js flags the `sluice` command runs with, read from the first line of main.js
 * (`#!/usr/bin/env -S node FLAGS`), so that benchmarks and tests that start the built CLI with
 * `node` directly run it exactly as the command runs.
 *
 * `--optimize-for-size` keeps V8's old generation close to the live data instead of letting it
 * grow with the garbage that millions of parsed rows leave behind: peak RSS of a long ingest falls
 * by about a third, for a few percent of CPU (see bench/ingest and the README).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export function cliNodeFlags(): string[] {
  const first = readFileSync(CLI_MAIN, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env\s+(?:-S\s+)?node((?:\s+--[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}
