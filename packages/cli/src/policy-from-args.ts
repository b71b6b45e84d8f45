import type { MergePolicy } from '@dymu/core';
import { createPolicy, weightsSha256 } from '@dymu/merging';
import { numPatches, type VitConfig } from '@dymu/weights';
import type { PolicyArgs } from './policy-options.ts';

/** Builds the policy the options name, through the merging registry (which validates the parameters). */
export async function policyFromArgs(args: PolicyArgs, modelDir: string, config: VitConfig): Promise<MergePolicy> {
  const name = args.policy ?? (args.thresholds ? 'dtome' : 'none');
  const params =
    name === 'dtome' || name === 'dtome-range' ? { file: args.thresholds }
    : name === 'tome' ? (args.schedule !== undefined ? { schedule: args.schedule } : { r: args.r })
    : name === 'pool' ? { tokens: args.tokens }
    : undefined;
  const weights = name.startsWith('dtome') ? await weightsSha256(modelDir) : undefined;
  return createPolicy(name, params, { encoder: { ...config, patches: numPatches(config), weightsSha256: weights, dir: modelDir }, source: 'command line' });
}
