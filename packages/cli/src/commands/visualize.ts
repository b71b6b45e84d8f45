import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { LLAVA_FEATURES, modelView, VitEncoder } from '@dymu/encoders';
import { renderMergeGroups } from '@dymu/viz';
import { readVitConfig } from '@dymu/weights';
import { policyFromArgs, withPolicyOptions, type PolicyArgs } from '../policy-options.ts';
import { preprocessFromArgs, withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

interface Args extends PolicyArgs, PreprocessArgs {
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
  handler: async (args) => {
    const config = readVitConfig(args.model);
    const encoder = await VitEncoder.load(args.model, { features: LLAVA_FEATURES });
    const policy = await policyFromArgs(args, args.model, config);
    const pad = preprocessFromArgs(args, encoder.preprocessing);
    const grid = Math.sqrt(encoder.patches);
    mkdirSync(args.out, { recursive: true });
    for (const path of args.images) {
      const [encoded] = await encoder.encode([path], { policy, pad });
      const { image } = await modelView(path, encoder.preprocessing, { pad });
      const label = `${encoded.countWithClassToken} tokens (${policy.name})`;
      const file = join(args.out, `${basename(path, extname(path))}.png`);
      writeFileSync(file, await renderMergeGroups(image, encoded.source, grid, label));
      console.log(`${file}: ${label}`);
    }
  },
};
