import { basename, resolve } from 'node:path';
import { DymuError } from '@dymu/core';
import { VitEncoder } from '@dymu/encoders';
import {
  compareThresholds,
  comparisonMarkdown,
  dtomePolicy,
  readImageSource,
  readThresholdPair,
  tokenCounts,
  weightsSha256,
  type ThresholdList,
  type TokenComparison,
  type TokenCounts,
} from '@dymu/merging';
import type { CompareArgs } from '../commands/thresholds.ts';
import { preprocessFromArgs } from '../preprocess-from-args.ts';
import type { PreprocessArgs } from '../preprocess-options.ts';

/** `dymu thresholds compare`: the two lists block by block, and with --images the tokens each gives. */
export async function compareThresholdFiles(args: CompareArgs): Promise<void> {
  const [a, b] = readThresholdPair(args.a, args.b);
  const rows = compareThresholds(a, b);
  const tokens = args.images === undefined ? undefined : await countTokens([a, b], args.images, args.model!, args);
  process.stdout.write(comparisonMarkdown(a, b, rows, tokens));
}

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
