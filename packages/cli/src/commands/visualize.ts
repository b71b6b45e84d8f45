import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { LLAVA_FEATURES, modelView, VitEncoder } from '@dymu/encoders';
import { renderMergeGroups } from '@dymu/viz';
import { readVitConfig } from '@dymu/weights';
import { policyFromArgs, withPolicyOptions, type PolicyArgs } from '../policy-options.ts';

interface Args extends PolicyArgs {
  model: string;
  images: string[];
  out: string;
  pad: boolean;
}

export const visualizeCommand: CommandModule<object, Args> = {
  command: 'visualize <images..>',
  describe: 'Draw the merged groups of each image (a colour per output token) with its token count',
  builder: (y) =>
    withPolicyOptions(
      y
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('model', { type: 'string', demandOption: true, describe: 'model directory in Hugging Face layout' })
        .option('out', { type: 'string', demandOption: true, describe: 'directory for the PNG files' })
        .option('pad', { type: 'boolean', default: false, describe: "LLaVA-1.5's pad-to-square with the mean colour" }),
    ) as never,
  handler: async (args) => {
    const config = readVitConfig(args.model);
    const encoder = await VitEncoder.load(args.model, { features: LLAVA_FEATURES });
    const policy = await policyFromArgs(args, args.model, config);
    const pad = args.pad ? 'pad-to-square' : 'none';
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
