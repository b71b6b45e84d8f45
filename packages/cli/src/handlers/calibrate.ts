import { rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
// Imported, not read relative to this file: the bundle (npm run build) lives elsewhere.
import rootPackage from '../../../../package.json' with { type: 'json' };
import { Progress } from '@dymu/core';
import { arrayRange, describeCalibrationJobs, runShardsLocally, submitCalibration, type CalibrationArray } from '@dymu/cluster';
import { encodeDecodable, VitEncoder } from '@dymu/encoders';
import { parseShard } from '@dymu/experiments';
import {
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
  shardFilePath,
  weightsSha256,
  writeThresholdFile,
  type CalibrationRun,
  type ThresholdFile,
} from '@dymu/merging';
import { numPatches, readVitConfig } from '@dymu/weights';
import type { Args } from '../commands/calibrate.ts';
import { DYMU_COMMAND, slurmResources } from '../executor-options.ts';
import { preprocessChoice, preprocessFromArgs } from '../preprocess-from-args.ts';

/** Every block runs and may merge: the last hidden state, class token kept, no post-LN. */
const CALIBRATION_FEATURES = { layer: -1, postLayerNorm: false, dropClassToken: false };

/** `dymu calibrate`: one process, local shards then their merge, a Slurm array, one shard, or --merge. */
export async function calibrate(args: Args): Promise<void> {
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
}

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
