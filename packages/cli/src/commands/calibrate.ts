import { rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
// Imported, not read relative to this file: the bundle (npm run build) lives elsewhere.
import rootPackage from '../../../../package.json' with { type: 'json' };
import { Progress } from '@dymu/core';
import { arrayRange, describeCalibrationJobs, runShardsLocally, submitCalibration, type CalibrationArray } from '@dymu/cluster';
import { encodeDecodable, VitEncoder } from '@dymu/encoders';
import { parseShard } from '@dymu/experiments';
import {
  CALIBRATION_LAYOUTS,
  calibrationHeader,
  isFinishedShardFile,
  mergeShards,
  missingImagesWarning,
  presentImages,
  readImageSource,
  readShardFiles,
  resolveSchedule,
  runCalibration,
  runCalibrationShard,
  sampleImages,
  SCHEDULE_SHAPES,
  shardFilePath,
  weightsSha256,
  writeThresholdFile,
  type CalibrationLayout,
  type CalibrationRun,
  type ScheduleShape,
  type ThresholdFile,
} from '@dymu/merging';
import { numPatches, readVitConfig } from '@dymu/weights';
import { DYMU_COMMAND, slurmResources, withExecutorOptions, type ExecutorArgs } from '../executor-options.ts';
import { preprocessChoice, preprocessFromArgs, withPreprocessOptions, type PreprocessArgs } from '../preprocess-options.ts';

interface Args extends ExecutorArgs, PreprocessArgs {
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

/** Every block runs and may merge: the last hidden state, class token kept, no post-LN. */
const CALIBRATION_FEATURES = { layer: -1, postLayerNorm: false, dropClassToken: false };

export const calibrateCommand: CommandModule<object, Args> = {
  command: 'calibrate',
  describe: "Calibrate DToMe's per-block thresholds on unlabelled images (DyMU's batch-level rule) and write a threshold file; in shards, here or on Slurm",
  builder: (y) =>
    withExecutorOptions(
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
    ) as never,
  handler: async (args) => {
    if (args.merge !== undefined) return merge(readShardFiles(args.merge), args.out);
    const shards = args.jobs ?? 1;
    const calibration = await prepare(args);
    if (args.restart && (shards > 1 || args.executor === 'slurm')) {
      // the shards' own checkpoints: the shard processes resume, so the restart happens here
      for (let index = 0; index < shards; index++) rmSync(`${shardFilePath(args.out, { index, count: shards })}.checkpoint.json`, { force: true });
    }
    if (args.executor === 'slurm') return submit(args, calibration, shards);
    if (shards > 1) {
      await runShardsLocally({ command: [...DYMU_COMMAND, 'calibrate', ...calibrateArgs(args)], shards });
      return merge(readShardFiles(Array.from({ length: shards }, (_, index) => shardFilePath(args.out, { index, count: shards }))), args.out);
    }
    const encoder = await VitEncoder.load(args.model!, { features: CALIBRATION_FEATURES });
    const pad = preprocessFromArgs(args, encoder.preprocessing);
    let progress: Progress | undefined;
    const run: CalibrationRun = {
      ...calibration,
      encodeBatch: async (names, policy) => {
        const skipped = (await encodeDecodable(encoder, names.map(calibration.path), { policy, pad })).map((i) => names[i]);
        if (skipped.length > 0) console.warn(`warning: cannot decode ${skipped.join(', ')}: left out of its batch`);
        return skipped;
      },
      out: args.out,
      checkpoint: args.checkpoint,
      restart: args.restart,
      onProgress: (done, total) => {
        if (progress) return progress.tick();
        if (done > 0) console.log(`resuming after batch ${done} of ${total}`);
        progress = new Progress('calibrate', total - done, 'batches');
      },
    };
    if (args.shard === undefined) {
      const file = await runCalibration(run);
      progress?.finish();
      return report(file, args.out);
    }
    const shard = parseShard(args.shard);
    const path = shardFilePath(args.out, shard);
    const file = await runCalibrationShard({ ...run, out: path }, shard);
    progress?.finish();
    const batches = file.blocks.find((b) => b.r > 0)?.batches ?? [];
    console.log(`shard ${shard.index}/${shard.count}: batches ${batches.join(', ') || 'none'} of ${file.totalBatches}${progress ? '' : ' (finished before, kept)'}: ${path}`);
  },
};

type Calibration = Pick<CalibrationRun, 'encoder' | 'schedule' | 'batchSize' | 'data' | 'layout' | 'runningMean' | 'tool'> & { path: (name: string) => string };

/** The calibration the options describe: schedule, the images sampled among those there (the missing ones counted and named in a warning), the weights' hash. */
async function prepare(args: Args): Promise<Calibration> {
  const model = args.model!;
  const config = readVitConfig(model);
  const schedule = resolveSchedule(args.schedule!, { ...config, patches: numPatches(config) }, args.shape);
  const source = readImageSource(args.images!);
  const { present, missing } = presentImages(source.names, source.path);
  if (missing.length > 0) console.warn(`warning: ${missingImagesWarning(missing, source.names.length, args.images!)}`);
  const images = sampleImages(present, args.seed, args.limit);
  console.log(`schedule ${schedule.name}: r = [${schedule.r.join(', ')}]; ${images.length} of ${present.length} images, batches of ${args.batch}, ${args.layout} layout`);
  return {
    encoder: { name: basename(resolve(model)), arch: config.arch, weightsSha256: await weightsSha256(model), blocks: config.numLayers },
    schedule,
    batchSize: args.batch,
    data: { source: args.images!, images, seed: args.seed, missing },
    layout: args.layout,
    runningMean: args.bf16 ? 'bf16' : 'float64',
    tool: toolVersion(),
    path: source.path,
  };
}

/** The options that define the calibration, as each shard's command line repeats them. */
function calibrateArgs(args: Args): string[] {
  return [
    ...['--model', args.model!, '--images', args.images!, '--schedule', args.schedule!, '--shape', args.shape, '--batch', String(args.batch)],
    ...(args.limit === undefined ? [] : ['--limit', String(args.limit)]),
    ...['--seed', String(args.seed), '--out', args.out, '--layout', args.layout],
    ...(args.bf16 ? ['--bf16'] : []),
    ...['--preprocess', preprocessChoice(args)],
  ];
}

/** Submits the unfinished shards as a Slurm array and the merge as a job after it (or prints both with --dry-run). */
function submit(args: Args, calibration: Calibration, shards: number): void {
  const header = calibrationHeader(calibration);
  const pending = Array.from({ length: shards }, (_, index) => index).filter((index) => !isFinishedShardFile(shardFilePath(args.out, { index, count: shards }), header, { index, count: shards }));
  const job: CalibrationArray = { out: args.out, shards, cli: DYMU_COMMAND, args: calibrateArgs(args), workdir: process.cwd(), resources: slurmResources(args) };
  if (args['dry-run']) {
    process.stdout.write(describeCalibrationJobs(job, pending));
    return;
  }
  const ids = submitCalibration(job, pending);
  if (ids.shards !== undefined) console.log(`submitted job ${ids.shards}: shard${pending.length > 1 ? 's' : ''} ${arrayRange(pending)} of ${shards}`);
  else console.log(`every shard of ${shards} is finished`);
  console.log(`submitted job ${ids.merge}: the merge into ${args.out}${ids.shards === undefined ? '' : `, once job ${ids.shards} has succeeded`}`);
  console.log(`follow them with: dymu status ${args.out}`);
}

function merge(shards: ReturnType<typeof readShardFiles>, out: string): void {
  const file = mergeShards(shards);
  writeThresholdFile(out, file);
  console.log(`merged ${shards.length} shard${shards.length > 1 ? 's' : ''} (${file.blocks.find((b) => b.r > 0)?.batches ?? 0} batches)`);
  report(file, out);
}

function report(file: ThresholdFile, out: string): void {
  console.log('block  r    threshold   std       min       max       batches');
  for (const b of file.blocks) {
    const f = (v: number | null) => (v === null ? '-' : v.toFixed(6)).padEnd(10);
    console.log(`${String(b.block).padEnd(7)}${String(b.r).padEnd(5)}${f(b.threshold)}  ${f(b.std)}${f(b.min)}${f(b.max)}${b.batches}`);
  }
  const { missing, undecodable } = file.data;
  if (missing + undecodable > 0) console.log(`left out: ${missing} missing image${missing === 1 ? '' : 's'} (before sampling), ${undecodable} undecodable (from their batches)`);
  console.log(`wrote ${out}`);
}

function toolVersion(): { name: string; version: string } {
  return { name: rootPackage.name, version: rootPackage.version };
}
