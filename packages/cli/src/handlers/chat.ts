import { basename } from 'node:path';
import { describePreprocessing, vlmPreprocess } from '@dymu/encoders';
import { type Answer, isVideoInput, Vlm } from '@dymu/llm';
import { describeVisionTower } from '@dymu/weights';
import { policyFromArgs } from '../policy-from-args.ts';
import { visualInput } from '../visual-input.ts';
import type { Args } from '../commands/chat.ts';

export async function chat(args: Args): Promise<void> {
  const t0 = performance.now();
  const vlm = await Vlm.load(args.vlm, { visionTower: args['vision-tower'], template: args.template });
  const policy = await policyFromArgs(args, vlm.encoder.tower.weightsDir, vlm.encoder.config);
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
  console.log(`vision tower: ${describeVisionTower(vlm.encoder.tower)}`);
  if (isVideoInput(input)) console.log(describeVideo(answer));
  console.log(`LLM input: ${answer.virtual} positions over ${answer.unique} unique rows (VTU ${args.vtu ? 'on' : 'off'}, template ${vlm.template.name})`);
  console.log(
    `load ${ms(loadMs)} | encode ${ms(t.encodeMs)} | prompt ${ms(t.prepareMs)} | prefill ${ms(t.prefillMs)} | ` +
      `decode ${ms(t.decodeMs)} (${generated} tokens, ${t.decodeMs > 0 ? ((1000 * t.steps) / t.decodeMs).toFixed(1) : '-'} steps/s, ${answer.finish})`,
  );
}

/** The frames a video answer used, and its tokens against the unmerged model's. */
function describeVideo(answer: Answer): string {
  const [{ info, indices }] = answer.videos!;
  const share = ((100 * answer.visualTokens) / answer.fullTokens).toFixed(1);
  return (
    `frames: ${indices.length} of ${info.frames} (${info.width}×${info.height}, ${info.fps.toFixed(2)} fps, ${info.durationS.toFixed(1)} s), numbers ${indices.join(' ')}\n` +
    `tokens: ${answer.visualTokens} of the unmerged model's ${answer.fullTokens} (${share} %)`
  );
}
