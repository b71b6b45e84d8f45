import type { CommandModule } from 'yargs';
import { LLAVA_FEATURES, lastHiddenState, VitEncoder } from '@dymu/encoders';
import { readVitConfig } from '@dymu/weights';
import { preprocessFromArgs, withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';
import { encodeAndReport } from '../report.ts';

interface Args extends PreprocessArgs {
  model: string;
  images: string[];
  features: 'llava' | 'last';
  batch: number;
}

export const encodeCommand: CommandModule<object, Args> = {
  command: 'encode <images..>',
  describe: 'Encode images with a vision tower; print token counts and timings',
  builder: (y) =>
    withPreprocessOptions(y)
      .positional('images', { type: 'string', array: true, demandOption: true })
      .option('model', { type: 'string', demandOption: true, describe: 'model directory in Hugging Face layout' })
      .option('features', { choices: ['llava', 'last'] as const, default: 'llava' as const, describe: "llava: penultimate block, no class token; last: the model's last_hidden_state" })
      .option('batch', { type: 'number', default: 8 }) as never,
  handler: async (args) => {
    const t0 = performance.now();
    const features = args.features === 'llava' ? LLAVA_FEATURES : lastHiddenState(readVitConfig(args.model));
    const encoder = await VitEncoder.load(args.model, { features });
    console.log(`loaded ${args.model} (${encoder.config.arch}, ${encoder.blocks} of ${encoder.config.numLayers} blocks run) in ${(performance.now() - t0).toFixed(0)} ms`);
    await encodeAndReport(encoder, args.images, { batch: args.batch, pad: preprocessFromArgs(args, encoder.preprocessing) });
  },
};
