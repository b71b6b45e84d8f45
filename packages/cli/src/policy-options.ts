import type { Argv } from 'yargs';
import type { MergePolicy } from '@dymu/core';
import { createPolicy, weightsSha256 } from '@dymu/merging';
import { numPatches, type VitConfig } from '@dymu/weights';

export interface PolicyArgs {
  policy?: string;
  thresholds?: string;
  r?: number;
  schedule?: string;
  tokens?: number;
}

/** The options that pick a merge policy on the command line. */
export function withPolicyOptions<T>(y: Argv<T>): Argv<T & PolicyArgs> {
  return y
    .option('policy', { type: 'string', describe: 'none | tome | dtome | pool (default: dtome with --thresholds, else none)' })
    .option('thresholds', { type: 'string', describe: 'DToMe threshold file (dymu calibrate)' })
    .option('r', { type: 'number', describe: 'ToMe: merges per block' })
    .option('schedule', { type: 'string', describe: 'ToMe: low | mid | high or a JSON file of r_i' })
    .option('tokens', { type: 'number', describe: 'pool: tokens to pool to' }) as Argv<T & PolicyArgs>;
}

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
