import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DymuError } from '@dymu/core';
import { calibrateCommand } from './src/commands/calibrate.ts';
try {
  await yargs(hideBin(process.argv)).scriptName('dymu').command(calibrateCommand).demandCommand(1).strict().help().parseAsync();
} catch (error) {
  process.stderr.write(error instanceof DymuError ? `dymu: ${error.message}\n` : `${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
}
