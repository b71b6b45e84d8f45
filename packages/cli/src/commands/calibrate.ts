import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { DymuError, Progress } from '@dymu/core';
import { VitEncoder } from '@dymu/encoders';
import { readImageSource, resolveSchedule, runCalibration, sampleImages, SCHEDULE_SHAPES, weightsSha256, type ScheduleShape } from '@dymu/merging';
import { numPatches, readVitConfig } from '@dymu/weights';

interface Args {
  model: string;
  images: string;
  schedule: string;
  shape: ScheduleShape;
  batch: number;
  limit?: number;
  seed: number;
  out: string;
  checkpoint?: string;
  bf16: boolean;
  pad: boolean;
}

/** Every block runs and may merge: the last hidden state, class token kept, no post-LN. */
const CALIBRATION_FEATURES = { layer: -1, postLayerNorm: false, dropClassToken: false };

export const calibrateCommand: CommandModule<object, Args> = {
  command: 'calibrate',
  describe: "Calibrate DToMe's per-block thresholds on unlabelled images (DyMU's batch-level rule) and write a threshold file",
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'model directory in Hugging Face layout' })
      .option('images', { type: 'string', demandOption: true, describe: 'a directory of images (recursive) or a text file with one image path per line' })
      .option('schedule', { type: 'string', demandOption: true, describe: 'low | mid | high, or a JSON file with the list of r_i (one per block)' })
      .option('shape', { choices: SCHEDULE_SHAPES, default: 'constant' as ScheduleShape, describe: 'how a variant spreads its merges over the blocks' })
      .option('batch', { type: 'number', default: 64, describe: 'images per batch (B); an incomplete last batch is left out' })
      .option('limit', { type: 'number', describe: 'use the first N images after shuffling (default: all)' })
      .option('seed', { type: 'number', default: 0, describe: 'shuffles the images (stream "calibration")' })
      .option('out', { type: 'string', demandOption: true, describe: 'threshold file to write' })
      .option('checkpoint', { type: 'string', describe: 'resumable progress (default: <out>.checkpoint.json)' })
      .option('bf16', { type: 'boolean', default: false, describe: "average the batch thresholds in emulated bfloat16, as the official code's running mean" })
      .option('pad', { type: 'boolean', default: false, describe: "LLaVA-1.5's pad-to-square with the mean colour" })
      .check((a) => {
        if (!Number.isInteger(a.batch) || a.batch < 1) throw new Error('--batch: expected a positive integer');
        if (a.limit !== undefined && (!Number.isInteger(a.limit) || a.limit < 1)) throw new Error('--limit: expected a positive integer');
        if (!Number.isInteger(a.seed) || a.seed < 0) throw new Error('--seed: expected a non-negative integer');
        return true;
      }) as never,
  handler: async (args) => {
    const config = readVitConfig(args.model);
    const schedule = resolveSchedule(args.schedule, { ...config, patches: numPatches(config) }, args.shape);
    const source = readImageSource(args.images);
    const images = sampleImages(source.names, args.seed, args.limit);
    const missing = images.find((name) => !existsSync(source.path(name)));
    if (missing !== undefined) throw new DymuError('image not found', { file: args.images, field: missing });
    const [encoder, hash] = await Promise.all([VitEncoder.load(args.model, { features: CALIBRATION_FEATURES }), weightsSha256(args.model)]);
    console.log(`schedule ${schedule.name}: r = [${schedule.r.join(', ')}]; ${images.length} of ${source.names.length} images, batches of ${args.batch}`);
    let progress: Progress | undefined;
    const file = await runCalibration({
      encoder: { name: basename(resolve(args.model)), arch: config.arch, weightsSha256: hash, blocks: config.numLayers },
      schedule,
      batchSize: args.batch,
      data: { source: args.images, images, seed: args.seed },
      encodeBatch: async (names, policy) => {
        await encoder.encode(names.map(source.path), { policy, pad: args.pad ? 'pad-to-square' : 'none' });
      },
      out: args.out,
      checkpoint: args.checkpoint,
      runningMean: args.bf16 ? 'bf16' : 'float64',
      tool: toolVersion(),
      onProgress: (done, total) => {
        if (progress) return progress.tick();
        if (done > 0) console.log(`resuming after batch ${done} of ${total}`);
        progress = new Progress('calibrate', total - done, 'batches');
      },
    });
    progress?.finish();
    console.log('block  r    threshold   std       min       max       batches');
    for (const b of file.blocks) {
      const f = (v: number | null) => (v === null ? '-' : v.toFixed(6)).padEnd(10);
      console.log(`${String(b.block).padEnd(7)}${String(b.r).padEnd(5)}${f(b.threshold)}  ${f(b.std)}${f(b.min)}${f(b.max)}${b.batches}`);
    }
    console.log(`wrote ${args.out}`);
  },
};

function toolVersion(): { name: string; version: string } {
  const root = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: root.name, version: root.version };
}
