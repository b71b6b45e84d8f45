import type { CommandModule } from 'yargs';
import { withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

export interface CompareArgs extends PreprocessArgs {
  a: string;
  b: string;
  images?: string;
  model?: string;
  batch: number;
}

/** `dymu thresholds compare A B [--images DIR --model DIR]`: two threshold lists block by block, and the tokens each gives. */
const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <a> <b>',
  describe:
    'Two threshold files side by side, block by block (r_i, τ_i, B − A): dymu-thresholds/1 files, or the official example (FILE#<index or encoder>; ' +
    "without a selector, its variant with the other file's block count); with --images and --model, the tokens per image each gives (mean ± std)",
  builder: (y) =>
    withPreprocessOptions(y)
      .positional('a', { type: 'string', demandOption: true, describe: 'a threshold file (e.g. paper/official-example-thresholds.json)' })
      .positional('b', { type: 'string', demandOption: true, describe: 'another (e.g. results/calibrate-clip/<run id>/thresholds.json)' })
      .option('images', { type: 'string', describe: 'a directory of images (recursive) or a text file of image paths: count the tokens each file gives on them' })
      .option('model', { type: 'string', describe: 'with --images: the vision tower (Hugging Face layout) to run DToMe with each file on' })
      .option('batch', { type: 'number', default: 8, describe: 'images per forward (the counts do not depend on it)' })
      .check((a) => {
        if ((a.images === undefined) !== (a.model === undefined)) return '--images and --model go together';
        if (!Number.isInteger(a.batch) || a.batch < 1) return '--batch: expected a positive integer';
        return true;
      }) as never,
  handler: (args) => import('../handlers/thresholds.ts').then((h) => h.compareThresholdFiles(args)),
};

export const thresholdsCommand: CommandModule = {
  command: 'thresholds <command>',
  describe: 'Threshold files: compare two block by block (and the tokens each gives on a set of images)',
  builder: (y) => y.command(compareCommand).demandCommand(1, 'Name a thresholds command (see --help).'),
  handler: () => {},
};
