import type { CommandModule } from 'yargs';
import { withPolicyOptions, type PolicyArgs } from '../policy-options.ts';
import { withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

export interface Args extends PolicyArgs, PreprocessArgs {
  model: string;
  images: string;
  out: string;
  batch: number;
}

/** Visual tokens (the paper's count, class token included) against two complexity measures. */
export const analyzeCommand: CommandModule<object, Args> = {
  command: 'analyze complexity',
  describe: 'Token count vs image complexity (JPEG q50 bytes per pixel, edge density): one figure of two scatter panels, Arrow data, correlations',
  builder: (y) =>
    withPreprocessOptions(withPolicyOptions(y))
        .option('model', { type: 'string', demandOption: true, describe: 'model directory in Hugging Face layout' })
        .option('images', { type: 'string', demandOption: true, describe: 'a directory of images or a text file of image paths' })
        .option('out', { type: 'string', demandOption: true, describe: 'directory for complexity.arrow and tokens-vs-complexity.svg/.png' })
        .option('batch', { type: 'number', default: 8 }) as never,
  handler: (args) => import('../handlers/analyze.ts').then((h) => h.analyzeComplexity(args)),
};
