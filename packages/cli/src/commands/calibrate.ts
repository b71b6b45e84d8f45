import type { CommandModule } from 'yargs';
import type { CalibrationLayout, ScheduleShape } from '@dymu/merging';
import { withExecutorOptions, type ExecutorArgs } from '../executor-options.ts';
import { withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

export interface Args extends ExecutorArgs, PreprocessArgs {
  model?: string;
  images?: string;
  schedule?: string;
  shape: ScheduleShape;
  batch: number;
  limit?: number;
  seed: number;
  out: string;
  checkpoint?: string;
  bf16: boolean;
  layout: CalibrationLayout;
  restart: boolean;
  shard?: string;
  merge?: string[];
  'dry-run': boolean;
}

export const calibrateCommand: CommandModule<object, Args> = {
  command: 'calibrate',
  describe: "Calibrate DToMe's per-block thresholds on unlabelled images (DyMU's batch-level rule) and write a threshold file; in shards, here or on Slurm",
  builder: async (y) => {
    const { CALIBRATION_LAYOUTS, SCHEDULE_SHAPES } = await import('@dymu/merging'); // with the command, not with `dymu --help`
    return withExecutorOptions(
      withPreprocessOptions(y)
        .option('model', { type: 'string', describe: 'model directory in Hugging Face layout' })
        .option('images', { type: 'string', describe: 'a directory of images (recursive) or a text file with one image path per line' })
        .option('schedule', { type: 'string', describe: 'low | mid | high, or a JSON file with the list of r_i (one per block)' })
        .option('shape', { choices: SCHEDULE_SHAPES, default: 'constant' as ScheduleShape, describe: 'how a variant spreads its merges over the blocks' })
        .option('batch', { type: 'number', default: 64, describe: 'images per batch (B); an incomplete last batch is left out' })
        .option('limit', { type: 'number', describe: 'use the first N images after shuffling (default: all)' })
        .option('seed', { type: 'number', default: 0, describe: 'shuffles the images (stream "calibration")' })
        .option('out', { type: 'string', demandOption: true, describe: 'threshold file to write' })
        .option('checkpoint', { type: 'string', describe: 'resumable progress (default: <out>.checkpoint.json; a shard keeps its own next to its file)' })
        .option('bf16', { type: 'boolean', default: false, describe: "average the batch thresholds in emulated bfloat16, as the official code's running mean" })
        .option('layout', {
          choices: CALIBRATION_LAYOUTS,
          default: 'compact' as CalibrationLayout,
          describe: "how a batch lays out its merged tokens for its next blocks: official (the authors' batch code, DYMU.md §3b; the paper files use it) or compact (per image, as at inference)",
        })
        .option('restart', { type: 'boolean', default: false, describe: 'discard the checkpoint of an unfinished calibration (e.g. after the images changed) and start over' })
        .option('shard', { type: 'string', describe: 'calibrate only batches i, i+n, … (i/n) into <out>.shards/shard-i-of-n.json; --merge combines the shards' })
        .option('merge', { type: 'string', array: true, describe: 'merge shard files (or directories of them, e.g. <out>.shards) into --out: the file one process writes' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'with --executor slurm: print the job scripts, submit nothing' })
        .check((a) => {
          if (!Number.isInteger(a.batch) || a.batch < 1) return '--batch: expected a positive integer';
          if (a.limit !== undefined && (!Number.isInteger(a.limit) || a.limit < 1)) return '--limit: expected a positive integer';
          if (!Number.isInteger(a.seed) || a.seed < 0) return '--seed: expected a non-negative integer';
          const sharded = a.executor === 'slurm' || ((a.jobs as number | undefined) ?? 1) > 1;
          if (a.merge !== undefined) {
            const extra = ['model', 'images', 'schedule', 'shard', 'jobs'].find((key) => a[key] !== undefined);
            if (extra !== undefined || a.executor !== 'local') return `--merge takes shard files and --out only (not --${extra ?? 'executor'})`;
            return true;
          }
          const missing = ['model', 'images', 'schedule'].filter((key) => a[key] === undefined);
          if (missing.length > 0) return `Missing required argument${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`;
          if (a.shard !== undefined && sharded) return '--shard runs one shard; --jobs and --executor slurm run all of them';
          if (a.checkpoint !== undefined && (sharded || a.shard !== undefined)) return '--checkpoint: a shard keeps its checkpoint next to its file';
          if (a['dry-run'] && a.executor !== 'slurm') return '--dry-run: only with --executor slurm';
          return true;
        }),
    ) as never;
  },
  handler: (args) => import('../handlers/calibrate.ts').then((h) => h.calibrate(args)),
};
