/**
 * Child process for the SIGKILL test: commits batches of a run in a loop, printing each batch's
 * index after its commit returns. Arguments: DB_PATH GROUP_COMMIT_MS BATCHES.
 * Batch i holds rowsFor(i) rows with ids `b<i>-<j>`; the parent kills it and checks the table.
 */
import { createSqliteStore } from '../../src/sinks/sqlite/store.js';

export const rowsFor = (i: number): number => 1 + ((i * 37) % 150);

async function main(): Promise<void> {
  const [path, groupMs, count] = process.argv.slice(2);
  const store = createSqliteStore({ path, table: { table: 'items', key: ['id'] }, groupCommitMs: Number(groupMs) });
  await store.open();
  const batches = Array.from({ length: Number(count) }, (_, i) => ({ key: `b${i}`, params: { i } }));
  if (!(await store.getRun('run')))
    await store.createRun({ id: 'run', job: 'crash', startedAt: new Date().toISOString() }, batches);
  else await store.reopenRun('run');
  const fields = ['id', 'batch', 'v'];
  for (const b of await store.batches('run', ['pending', 'running'])) {
    const i = Number(b.batch.params.i);
    const items = Array.from({ length: rowsFor(i) }, (_, j) => [`b${i}-${j}`, b.key, i * 1000 + j]);
    await store.commit('run', b.batch, { fields, pages: [{ fields, items }], rowCount: items.length }, 1);
    process.stdout.write(`${i}\n`);
  }
  await store.close();
  process.stdout.write('finished\n');
}

if (process.argv[1]?.endsWith('crash-child.js')) void main();
