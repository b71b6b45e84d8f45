import type { CommandModule } from 'yargs';
import type { VlmLayout } from '@dymu/weights';

export interface Args {
  family: 'llama' | 'qwen2';
  preset: string;
  out: string;
  seed: number;
  dtype: string;
  'shard-mb'?: number;
  layout: VlmLayout;
}

export const makeVlmCommand: CommandModule<object, Args> = {
  command: 'make-vlm',
  describe: 'Write a generated LLaVA checkpoint (decoder + mlp2x_gelu projector, tiny vision tower in vision_tower/, or all in one llava-hf checkpoint) with deterministic weights',
  builder: async (y) => {
    const { LLM_PRESETS } = await import('@dymu/weights'); // with the command, not with `dymu --help`
    return y
      .option('family', { choices: ['llama', 'qwen2'] as const, default: 'llama' as const, describe: 'llama: LLaVA-1.5 (Vicuna + CLIP); qwen2: LLaVA-OneVision (Qwen2 + SigLIP)' })
      .option('preset', { type: 'string', default: 'tiny', describe: `decoder size; llama: ${Object.keys(LLM_PRESETS.llama).join(', ')}; qwen2: ${Object.keys(LLM_PRESETS.qwen2).join(', ')}` })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
      .option('seed', { type: 'number', default: 0 })
      .option('dtype', { choices: ['F32', 'F16', 'BF16'], default: 'F32' })
      .option('shard-mb', { type: 'number', describe: 'shard the weights (model.safetensors.index.json) at this size' })
      .option('layout', {
        choices: ['original', 'llava-hf', 'llava-hf-4.52'] as const,
        default: 'original' as const,
        describe: "original: as the LLaVA authors publish it; llava-hf: one LlavaForConditionalGeneration / LlavaOnevision… checkpoint as on the Hub; llava-hf-4.52: as transformers >= 4.52 saves it",
      });
  },
  handler: (args) => import('../handlers/make-vlm.ts').then((h) => h.makeVlm(args)),
};
