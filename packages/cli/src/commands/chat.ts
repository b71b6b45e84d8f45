import type { CommandModule } from 'yargs';
import { withPolicyOptions, type PolicyArgs } from '../policy-options.ts';

export interface Args extends PolicyArgs {
  vlm: string;
  image: string;
  question: string;
  vtu: boolean;
  cache: boolean;
  'max-new-tokens': number;
  temperature: number;
  'top-k': number;
  'top-p': number;
  seed: number;
  template?: string;
  'vision-tower'?: string;
  frames?: number;
}

export const chatCommand: CommandModule<object, Args> = {
  command: 'chat <image> <question>',
  describe: 'Answer a question about an image or a video with a LLaVA-style VLM; print the visual token count and timings',
  builder: (y) =>
    withPolicyOptions(y)
      .positional('image', { type: 'string', demandOption: true, describe: 'an image, or a video (by its extension: .mp4, .mkv, .webm, …; else when FFmpeg finds frames in it)' })
      .positional('question', { type: 'string', demandOption: true })
      .option('vlm', { type: 'string', demandOption: true, describe: 'LLaVA checkpoint directory (config.json with mm_*, safetensors, tokenizer.json)' })
      .option('vtu', { type: 'boolean', default: true, describe: 'virtual token unmerging in the LLM (--no-vtu: merged tokens at consecutive positions)' })
      .option('cache', { type: 'boolean', default: true, describe: 'decode with the KV cache (--no-cache recomputes the sequence every step)' })
      .option('max-new-tokens', { type: 'number', default: 128 })
      .option('temperature', { type: 'number', default: 0, describe: '0: greedy' })
      .option('top-k', { type: 'number', default: 0 })
      .option('top-p', { type: 'number', default: 1 })
      .option('seed', { type: 'number', default: 0 })
      .option('template', { type: 'string', describe: 'chat template (default: vicuna_v1 for LLaMA, qwen_1_5 for Qwen2)' })
      .option('vision-tower', { type: 'string', describe: "vision tower directory, instead of config.json's mm_vision_tower" })
      .option('frames', { type: 'number', describe: "frames sampled uniformly from a video (default 32, LLaVA-OneVision's evaluation)" }) as never,
  handler: (args) => import('../handlers/chat.ts').then((h) => h.chat(args)),
};
