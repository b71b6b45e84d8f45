import { LLAVA_FEATURES, lastHiddenState, VitEncoder } from '@dymu/encoders';
import { readVitConfig } from '@dymu/weights';
import { preprocessFromArgs } from '../preprocess-from-args.ts';
import { encodeAndReport } from '../report.ts';
import type { Args } from '../commands/encode.ts';

export async function encode(args: Args): Promise<void> {
  const t0 = performance.now();
  const features = args.features === 'llava' ? LLAVA_FEATURES : lastHiddenState(readVitConfig(args.model));
  const encoder = await VitEncoder.load(args.model, { features });
  console.log(`loaded ${args.model} (${encoder.config.arch}, ${encoder.blocks} of ${encoder.config.numLayers} blocks run) in ${(performance.now() - t0).toFixed(0)} ms`);
  await encodeAndReport(encoder, args.images, { batch: args.batch, pad: preprocessFromArgs(args, encoder.preprocessing) });
}
