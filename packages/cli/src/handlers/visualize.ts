import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { LLAVA_FEATURES, modelView, VitEncoder } from '@dymu/encoders';
import { renderMergeGroups } from '@dymu/viz';
import { readVitConfig } from '@dymu/weights';
import { policyFromArgs } from '../policy-from-args.ts';
import { preprocessFromArgs } from '../preprocess-from-args.ts';
import type { Args } from '../commands/visualize.ts';

export async function visualize(args: Args): Promise<void> {
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
}
