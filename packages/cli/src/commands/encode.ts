import type { CommandModule } from 'yargs';
import { withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

export interface Args extends PreprocessArgs {
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
  handler: (args) => import('../handlers/encode.ts').then((h) => h.encode(args)),
};
