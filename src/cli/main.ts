#!/usr/bin/env -S node --optimize-for-size
/**
 * The `sluice` command. Each command lives in its own file under commands/ and registers itself;
 * this file only wires them and maps usage errors to exit 2. Only the command being run is
 * loaded (its dependencies — database drivers, Redis, the emulator — cost start-up time).
 */
import './early-signals.js'; // first: SIGINT/SIGTERM exit 130 while the rest loads
import { Command, CommanderError } from 'commander';
import { messageOf } from '../core/errors.js';
import { printLine } from './util.js';

type Register = (program: Command) => void;

const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  plan: () => import('./commands/plan.js'),
  run: () => import('./commands/run.js'),
  worker: () => import('./commands/worker.js'),
  report: () => import('./commands/report.js'),
  targets: () => import('./commands/targets.js'),
  emulate: () => import('./commands/emulate.js'),
  demo: () => import('./commands/demo.js'),
  ui: () => import('./commands/ui.js'),
  apis: () => import('./commands/apis.js'),
  sync: () => import('./commands/sync.js'),
};

const program = new Command();
program
  .name('sluice')
  .description('Plan, pace, run and monitor batched ingestion from rate-limited APIs into a database.')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const name of wanted) (await COMMANDS[name]()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      process.exitCode = 0;
    } else {
      if (!err.message.startsWith('error:')) printLine(err.message);
      process.exitCode = 2;
    }
  } else {
    printLine(`sluice: internal error: ${messageOf(err)}`);
    process.exitCode = 1;
  }
}
