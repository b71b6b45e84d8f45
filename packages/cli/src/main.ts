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
import { runCommand } from './commands/run.ts';
import { sqlCommand } from './commands/sql.ts';
import { tableCommand } from './commands/table.ts';
import { visualizeCommand } from './commands/visualize.ts';

try {
  await yargs(hideBin(process.argv))
    .scriptName('dymu')
    .command(runCommand)
    .command(tableCommand)
    .command(lsCommand)
    .command(sqlCommand)
    .command(makeModelCommand)
    .command(encodeCommand)
    .command(dataCommand)
    .command(calibrateCommand)
    .command(visualizeCommand)
    .command(analyzeCommand)
    .command(makeVlmCommand)
    .command(chatCommand)
    .demandCommand(1, 'Name a command (see --help).')
    .strict()
    .fail((message, error, y) => {
      if (error) throw error;
      process.stderr.write(`${y.help()}\n\n${message}\n`);
      process.exit(2);
    })
    .help()
    .parseAsync();
} catch (error) {
  // Bad input is reported in one line naming the file and field; anything else is a bug and keeps its stack.
  process.stderr.write(error instanceof DymuError ? `dymu: ${error.message}\n` : `${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
}
