/** `sluice demo`: emulator -> run -> SQLite -> report, with no configuration. */
import type { Command } from 'commander';
import { DEMO_DEFAULTS, runDemo } from '../../job/demo.js';
import { RUN_STOP_NOTE, withStopSignals } from '../stop.js';
import { action, intFlag } from '../util.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run a real job against the local emulator into ./sluice.db and print the report.')
    .option('--db <path>', 'SQLite file', DEMO_DEFAULTS.db)
    .option('--symbols <n>', 'symbols in the emulated universe', String(DEMO_DEFAULTS.symbols))
    .option('--html <file>', 'HTML report file', DEMO_DEFAULTS.html)
    .option('--json', 'print the run report as JSON on stdout')
    .option(
      '--sync',
      'instead: keep a small mirror of eight datasets (sluice sync) in ./sluice-mirror.db, then update it',
    )
    .action(
      action(async (flags: { db: string; symbols: string; html: string; json?: boolean; sync?: boolean }) => {
        const symbols = intFlag('--symbols', flags.symbols, { min: 1, max: 5000 });
        if (flags.sync) {
          const { runSyncDemo, SYNC_DEMO_DEFAULTS } = await import('../../sync/demo.js');
          const db = flags.db === DEMO_DEFAULTS.db ? SYNC_DEMO_DEFAULTS.db : flags.db;
          return withStopSignals((signal) => runSyncDemo({ db, symbols, signal }), RUN_STOP_NOTE);
        }
        return withStopSignals(
          (signal) => runDemo({ db: flags.db, symbols, html: flags.html, json: flags.json, signal }),
          RUN_STOP_NOTE,
        );
      }),
    );
}
