/**
 * Child process for the lock-contention test: a second writer on the same SQLite file. Creates a
 * run and commits two batches, then prints one JSON line: {"ok":true} or {"ok":false,"error":...}.
 * Arguments: DB_PATH RUN_ID.
 */
import { messageOf } from '../../src/core/errors.js';
import { createSqliteStore } from '../../src/sinks/sqlite/store.js';

async function main(): Promise<void> {
  const [path, runId] = process.argv.slice(2);
  const store = createSqliteStore({ path, table: { table: 'items', key: ['id'] } });
  try {
    await store.open();
    const batches = [
      { key: 'x0', params: {} },
      { key: 'x1', params: {} },
    ];
    await store.createRun({ id: runId, job: 'second', startedAt: new Date().toISOString() }, batches);
    const fields = ['id', 'batch', 'v'];
    for (const b of batches) {
      const items = [[`${runId}-${b.key}`, b.key, 1]];
      await store.commit(runId, b, { fields, pages: [{ fields, items }], rowCount: items.length }, 1);
    }
    await store.close();
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: messageOf(err) })}\n`);
  }
}

if (process.argv[1]?.endsWith('writer-child.js')) void main();
