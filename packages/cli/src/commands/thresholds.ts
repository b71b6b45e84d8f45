import { basename, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { DymuError } from '@dymu/core';
import { VitEncoder } from '@dymu/encoders';
import { compareThresholds, comparisonMarkdown, dtomePolicy, readImageSource, readThresholdPair, tokenCounts, weightsSha256, type ThresholdList, type TokenComparison, type TokenCounts } from '@dymu/merging';
import { preprocessFromArgs, withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

interface CompareArgs extends PreprocessArgs {
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
  handler: async (args) => {
    const [a, b] = readThresholdPair(args.a, args.b);
    const rows = compareThresholds(a, b);
    const tokens = args.images === undefined ? undefined : await countTokens([a, b], args.images, args.model!, args);
    process.stdout.write(comparisonMarkdown(a, b, rows, tokens));
  },
};

/**
 * The visual tokens per image DToMe gives with each list on the images: the count after the block
 * LLaVA takes (the penultimate), class token included, as the paper counts (DYMU.md §9).
 */
async function countTokens(lists: [ThresholdList, ThresholdList], images: string, model: string, options: PreprocessArgs & { batch: number }): Promise<TokenComparison> {
  const source = readImageSource(images);
  const paths = source.names.map(source.path);
  const encoder = await VitEncoder.load(model);
  const hash = await weightsSha256(model);
  const pad = preprocessFromArgs(options, encoder.preprocessing);
  const found: TokenCounts[] = [];
  for (const list of lists) {
    if (list.thresholds.length !== encoder.config.numLayers) throw new DymuError(`has ${list.thresholds.length} blocks, the model ${encoder.config.numLayers}`, { file: list.source, field: 'thresholds' });
    if (list.calibrated && list.calibrated.encoder.weightsSha256 !== hash) console.warn(`warning: ${list.source} was calibrated on other weights than ${model}`);
    const counts: number[] = [];
    for (let i = 0; i < paths.length; i += options.batch) {
      const encoded = await encoder.encode(paths.slice(i, i + options.batch), { policy: dtomePolicy(list.thresholds), pad });
      counts.push(...encoded.map((e) => e.countWithClassToken));
    }
    found.push(tokenCounts(counts));
  }
  return { a: found[0], b: found[1], on: `${paths.length} images of ${images}, ${basename(resolve(model))}, after block ${encoder.blocks - 1}, class token included` };
}

export const thresholdsCommand: CommandModule = {
  command: 'thresholds <command>',
  describe: 'Threshold files: compare two block by block (and the tokens each gives on a set of images)',
  builder: (y) => y.command(compareCommand).demandCommand(1, 'Name a thresholds command (see --help).'),
  handler: () => {},
};
