import type { CommandModule } from 'yargs';

export interface Args {
  arch: 'clip-vit' | 'siglip-vit';
  preset: string;
  out: string;
  seed: number;
  dtype: string;
  'with-text': boolean;
  'shard-mb'?: number;
}

export const makeModelCommand: CommandModule<object, Args> = {
  command: 'make-model',
  describe: 'Write a generated model with deterministic weights in Hugging Face layout (config.json + safetensors)',
  builder: async (y) => {
    const { VIT_PRESETS } = await import('@dymu/weights'); // with the command, not with `dymu --help`
    return y
      .option('arch', { choices: ['clip-vit', 'siglip-vit'] as const, demandOption: true })
      .option('preset', { type: 'string', default: 'tiny', describe: `clip-vit: ${Object.keys(VIT_PRESETS['clip-vit']).join(', ')}; siglip-vit: ${Object.keys(VIT_PRESETS['siglip-vit']).join(', ')}` })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
      .option('seed', { type: 'number', default: 0 })
      .option('dtype', { choices: ['F32', 'F16', 'BF16'], default: 'F32' })
      .option('with-text', { type: 'boolean', default: false, describe: 'write the full CLIPModel / SiglipModel with a small text tower' })
      .option('shard-mb', { type: 'number', describe: 'shard the weights (model.safetensors.index.json) at this size' });
  },
  handler: (args) => import('../handlers/make-model.ts').then((h) => h.makeModel(args)),
};
