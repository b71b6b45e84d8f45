import type { CommandModule } from 'yargs';
import { withPolicyOptions, type PolicyArgs } from '../policy-options.ts';
import { withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

export interface Args extends PolicyArgs, PreprocessArgs {
  model: string;
  images: string[];
  out: string;
}

export const visualizeCommand: CommandModule<object, Args> = {
  command: 'visualize <images..>',
  describe: 'Draw the merged groups of each image (a colour per output token) with its token count',
  builder: (y) =>
    withPreprocessOptions(
      withPolicyOptions(
        y
          .positional('images', { type: 'string', array: true, demandOption: true })
          .option('model', { type: 'string', demandOption: true, describe: 'model directory in Hugging Face layout' })
          .option('out', { type: 'string', demandOption: true, describe: 'directory for the PNG files' }),
      ),
    ) as never,
  handler: (args) => import('../handlers/visualize.ts').then((h) => h.visualize(args)),
};
