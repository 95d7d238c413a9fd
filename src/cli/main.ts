#!/usr/bin/env node
/**
 * The `sluice` command. Each command lives in its own file under commands/ and registers itself;
 * this file only wires them and maps usage errors to exit 2.
 */
import { Command, CommanderError } from 'commander';
import { printLine } from './util.js';

const program = new Command();
program
  .name('sluice')
  .description('Plan, pace, run and monitor batched ingestion from rate-limited APIs into a database.')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// Commands register themselves here, one line each.
import { register as registerRun } from './commands/run.js';
registerRun(program);
import { register as registerDemo } from './commands/demo.js';
registerDemo(program);
import { register as registerWorker } from './commands/worker.js';
registerWorker(program);
import { register as registerPlan } from './commands/plan.js';
registerPlan(program);
import { register as registerEmulate } from './commands/emulate.js';
registerEmulate(program);
import { register as registerReport } from './commands/report.js';
registerReport(program);
import { register as registerTargets } from './commands/targets.js';
registerTargets(program);

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
    printLine(`sluice: internal error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
