/**
 * `sluice ui [--db PATH] [--port N] [--host H]`: serves the stored runs of a journal (trends per
 * job; a click opens a run's report) until Ctrl-C. Loopback unless --host says otherwise.
 */
import type { Command } from 'commander';
import { scrub } from '../../core/secrets.js';
import { openReadStore } from '../../report/query.js';
import { startBrowseServer } from '../../ui/browse.js';
import { action, intFlag, printLine } from '../util.js';

interface UiFlags {
  db: string;
  port?: string;
  host?: string;
}

export function register(program: Command): void {
  program
    .command('ui')
    .description("Serve the stored runs in a browser: trends per job, each run's report, comparisons")
    .option('--db <path>', 'journal database: SQLite/JSONL path or PostgreSQL URL', './sluice.db')
    .option('--port <n>', 'port to listen on (default 7330, or a free one when it is taken)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1; anything else exposes the page)')
    .action(
      action(async (flags: UiFlags) => {
        const port = intFlag('--port', flags.port, { min: 0, max: 65535 });
        const store = await openReadStore(flags.db);
        try {
          const server = await startBrowseServer({ store, source: scrub(flags.db), port, host: flags.host });
          printLine(`sluice: stored runs at ${server.url} (Ctrl-C to stop)`);
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
          await server.close();
        } finally {
          await store.close();
        }
        return 0;
      }),
    );
}
