import type { CommandModule } from 'yargs';
import { compareThresholds, comparisonMarkdown, readThresholdPair } from '@dymu/merging';

interface CompareArgs {
  a: string;
  b: string;
}

/** `dymu thresholds compare A B`: two threshold lists block by block. */
const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <a> <b>',
  describe:
    'Two threshold files side by side, block by block (r_i, τ_i, B − A): dymu-thresholds/1 files, or the official example (FILE#<index or encoder>; ' +
    'without a selector, its variant with the other file\'s block count)',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'a threshold file (e.g. paper/official-example-thresholds.json)' })
      .positional('b', { type: 'string', demandOption: true, describe: 'another (e.g. results/calibrate-clip/<run id>/thresholds.json)' }) as never,
  handler: (args) => {
    const [a, b] = readThresholdPair(args.a, args.b);
    process.stdout.write(comparisonMarkdown(a, b, compareThresholds(a, b)));
  },
};

export const thresholdsCommand: CommandModule = {
  command: 'thresholds <command>',
  describe: 'Threshold files: compare two block by block',
  builder: (y) => y.command(compareCommand).demandCommand(1, 'Name a thresholds command (see --help).'),
  handler: () => {},
};
