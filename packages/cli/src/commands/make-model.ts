import type { CommandModule } from 'yargs';
import { makeVitModel, VIT_PRESETS, type DType } from '@dymu/weights';

interface Args {
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
  builder: (y) =>
    y
      .option('arch', { choices: ['clip-vit', 'siglip-vit'] as const, demandOption: true })
      .option('preset', { type: 'string', default: 'tiny', describe: `clip-vit: ${Object.keys(VIT_PRESETS['clip-vit']).join(', ')}; siglip-vit: ${Object.keys(VIT_PRESETS['siglip-vit']).join(', ')}` })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
      .option('seed', { type: 'number', default: 0 })
      .option('dtype', { choices: ['F32', 'F16', 'BF16'], default: 'F32' })
      .option('with-text', { type: 'boolean', default: false, describe: 'write the full CLIPModel / SiglipModel with a small text tower' })
      .option('shard-mb', { type: 'number', describe: 'shard the weights (model.safetensors.index.json) at this size' }),
  handler: (args) => {
    const t0 = performance.now();
    const { dir, config } = makeVitModel({
      arch: args.arch,
      preset: args.preset,
      seed: args.seed,
      out: args.out,
      dtype: args.dtype as DType,
      withTextTower: args['with-text'],
      maxShardBytes: args['shard-mb'] === undefined ? undefined : args['shard-mb'] * 2 ** 20,
    });
    console.log(
      `wrote ${dir}: ${args.arch} ${args.preset} (${config.numLayers} layers, width ${config.hiddenSize}, ${config.imageSize}px / patch ${config.patchSize}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  },
};
