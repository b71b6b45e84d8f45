import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { describePreprocessing, vlmPreprocess } from '@dymu/encoders';
import { type Answer, isVideoInput, Vlm } from '@dymu/llm';
import { policyFromArgs, withPolicyOptions, type PolicyArgs } from '../policy-options.ts';
import { visualInput } from '../visual-input.ts';

interface Args extends PolicyArgs {
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
  handler: async (args) => {
    const t0 = performance.now();
    const vlm = await Vlm.load(args.vlm, { visionTower: args['vision-tower'], template: args.template });
    const policy = await policyFromArgs(args, vlm.encoder.dir, vlm.encoder.config);
    const loadMs = performance.now() - t0;
    const input = await visualInput(args.image);
    const answer = await vlm.ask([input], args.question, {
      policy,
      vtu: args.vtu,
      useCache: args.cache,
      maxNewTokens: args['max-new-tokens'],
      temperature: args.temperature,
      topK: args['top-k'],
      topP: args['top-p'],
      seed: args.seed,
      videoFrames: args.frames,
    });
    const t = answer.timings;
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const generated = answer.tokens.length;
    console.log(answer.text);
    const withClass = answer.visualTokensWithClass === answer.visualTokens ? '' : ` (${answer.visualTokensWithClass} with the class token)`;
    console.log(`\n${basename(args.image)}: ${answer.visualTokens} visual tokens${withClass}, policy ${policy.name}`);
    // Video frames go to the processor whole (LLaVA-NeXT's video path: no padding, no AnyRes).
    console.log(describePreprocessing(isVideoInput(input) ? 'resize' : vlmPreprocess(vlm.config.imageAspectRatio), vlm.encoder.preprocessing));
    if (isVideoInput(input)) console.log(describeVideo(answer));
    console.log(`LLM input: ${answer.virtual} positions over ${answer.unique} unique rows (VTU ${args.vtu ? 'on' : 'off'}, template ${vlm.template.name})`);
    console.log(
      `load ${ms(loadMs)} | encode ${ms(t.encodeMs)} | prompt ${ms(t.prepareMs)} | prefill ${ms(t.prefillMs)} | ` +
        `decode ${ms(t.decodeMs)} (${generated} tokens, ${t.decodeMs > 0 ? ((1000 * t.steps) / t.decodeMs).toFixed(1) : '-'} steps/s, ${answer.finish})`,
    );
  },
};

/** The frames a video answer used, and its tokens against the unmerged model's. */
function describeVideo(answer: Answer): string {
  const [{ info, indices }] = answer.videos!;
  const share = ((100 * answer.visualTokens) / answer.fullTokens).toFixed(1);
  return (
    `frames: ${indices.length} of ${info.frames} (${info.width}×${info.height}, ${info.fps.toFixed(2)} fps, ${info.durationS.toFixed(1)} s), numbers ${indices.join(' ')}\n` +
    `tokens: ${answer.visualTokens} of the unmerged model's ${answer.fullTokens} (${share} %)`
  );
}
