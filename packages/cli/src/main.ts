import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DymuError } from '@dymu/core';
import { analyzeCommand } from './commands/analyze.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { chatCommand } from './commands/chat.ts';
import { dataCommand } from './commands/data.ts';
import { encodeCommand } from './commands/encode.ts';
import { lsCommand } from './commands/ls.ts';
import { makeModelCommand } from './commands/make-model.ts';
import { makeVlmCommand } from './commands/make-vlm.ts';
import { plotCommand } from './commands/plot.ts';
import { clusterRunCommand } from './commands/run-cluster.ts';
import { sqlCommand } from './commands/sql.ts';
import { statusCommand } from './commands/status.ts';
import { tableCommand } from './commands/table.ts';
import { thresholdsCommand } from './commands/thresholds.ts';
import { visualizeCommand } from './commands/visualize.ts';

class UsageError extends Error {}

try {
  await yargs(hideBin(process.argv))
    .scriptName('dymu')
    .command(clusterRunCommand)
    .command(statusCommand)
    .command(tableCommand)
    .command(plotCommand)
    .command(lsCommand)
    .command(sqlCommand)
    .command(makeModelCommand)
    .command(encodeCommand)
    .command(dataCommand)
    .command(calibrateCommand)
    .command(thresholdsCommand)
    .command(visualizeCommand)
    .command(analyzeCommand)
    .command(makeVlmCommand)
    .command(chatCommand)
    .demandCommand(1, 'Name a command (see --help).')
    .strict()
    .fail((message, error) => {
      // yargs reports usage problems (unknown option, missing argument, failed check) as a message or a YError.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(message ?? error?.message ?? 'invalid usage');
    })
    .help()
    .parseAsync();
} catch (error) {
  // Usage problems exit with 2, bad input (a DymuError naming the file and field) with 1, in one
  // line each; anything else is a bug and keeps its stack. Exit codes are set, not forced, so
  // stderr is flushed before the process ends. A YError also arrives here past .fail(): a failed
  // coerce of a command whose builder is async (it loads a package's list of choices).
  if (error instanceof UsageError || (error as Error)?.name === 'YError') {
    process.stderr.write(`dymu: ${(error as Error).message} (see dymu --help)\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(error instanceof DymuError ? `dymu: ${error.message}\n` : `${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 1;
  }
}
