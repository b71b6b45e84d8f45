import type { Argv } from 'yargs';

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
