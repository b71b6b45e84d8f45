import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, Progress, removeStaleTemporaries, sha256, withLock } from '@dymu/core';
import type { ImageRecord } from '@dymu/datasets';
import { encodeDecodable, type VitEncoder } from '@dymu/encoders';
import { missingImagesWarning, presentImages, resolveSchedule, runCalibration, sampleImages, type EncoderShape } from '@dymu/merging';
import type { CalibrationSpec } from '../config/experiment.ts';
import { formatValue } from '../config/label.ts';
import { provenance } from '../results/provenance.ts';

/** Every block runs and may merge: the last hidden state, class token kept, no post-LN (as `dymu calibrate`). */
export const CALIBRATION_FEATURES = { layer: -1, postLayerNorm: false, dropClassToken: false };

export interface CalibrationInputs {
  readonly spec: CalibrationSpec;
  readonly model: { readonly name: string; readonly weightsSha256: string; readonly shape: EncoderShape; readonly pad: boolean };
  readonly cache: string;
  /** The calibration dataset's records. */
  readonly images: () => Promise<ImageRecord[]>;
  /** The model's encoder with CALIBRATION_FEATURES. */
  readonly encoder: () => Promise<VitEncoder>;
  readonly progress?: NodeJS.WriteStream;
  /** Discard the checkpoint of an unfinished calibration (`dymu run --restart-calibrations`) and start over. */
  readonly restart?: boolean;
}

/**
 * The threshold file of a calibration, computed once with @dymu/merging's calibration (resumable,
 * written atomically) and kept at `<cache>/thresholds/<hash>.json`, the hash covering the weights
 * (sha256 of their values), the calibration spec and the padding.
 */
export async function calibratedThresholds(inputs: CalibrationInputs): Promise<string> {
  const { spec, model } = inputs;
  const key = sha256(canonicalJson({ weightsSha256: model.weightsSha256, spec, pad: model.pad })).slice(0, 16);
  const out = join(inputs.cache, 'thresholds', `${key}.json`);
  if (existsSync(out)) return out;
  mkdirSync(join(inputs.cache, 'thresholds'), { recursive: true });
  // one process computes it; another that needs it at the same time waits and takes its file
  return withLock(`${out}.lock`, async () => {
    if (existsSync(out)) return out;
    removeStaleTemporaries(join(inputs.cache, 'thresholds'));
    const schedule = resolveSchedule(spec.schedule, model.shape, spec.shape);
    const records = await inputs.images();
    // one name per record: a repeated id (the mix has entries that share one) becomes `id#2`, `id#3`, … so it is kept, as the official list keeps it
    const paths = new Map<string, string>();
    for (const r of records) {
      let name = r.id;
      for (let k = 2; paths.has(name); k++) name = `${r.id}#${k}`;
      paths.set(name, r.imagePath);
    }
    // the sample is drawn among the entries whose images are there now; the missing ones are counted
    const { present, missing } = presentImages([...paths.keys()], (name) => paths.get(name)!);
    if (missing.length > 0) (inputs.progress ?? process.stderr).write(`warning: ${missingImagesWarning(missing, paths.size, formatValue(spec.dataset))}\n`);
    const images = sampleImages(present, spec.seed, spec.count ?? present.length);
    const encoder = await inputs.encoder();
    let progress: Progress | undefined;
    await runCalibration({
      encoder: { name: model.name, arch: model.shape.arch, weightsSha256: model.weightsSha256, blocks: model.shape.numLayers },
      schedule,
      batchSize: spec.batch,
      data: { source: formatValue(spec.dataset), images, seed: spec.seed, missing },
      layout: spec.layout ?? 'compact',
      restart: inputs.restart,
      restartOption: 'dymu run --restart-calibrations',
      encodeBatch: async (ids, policy) => {
        const skipped = (await encodeDecodable(encoder, ids.map((id) => paths.get(id)!), { policy, pad: model.pad ? 'pad-to-square' : 'none' })).map((i) => ids[i]);
        if (skipped.length > 0) (inputs.progress ?? process.stderr).write(`warning: cannot decode ${skipped.map((id) => paths.get(id)).join(', ')}: left out of its batch\n`);
        return skipped;
      },
      out,
      tool: { name: '@dymu/experiments', version: provenance().versions['@dymu/experiments'] ?? '' },
      onProgress: (done, total) => {
        if (progress) progress.tick();
        else progress = new Progress(`calibrate ${schedule.name} on ${formatValue(spec.dataset)}`, total - done, 'batches', inputs.progress);
      },
    });
    progress?.finish();
    return out;
  }, { onWait: (message) => (inputs.progress ?? process.stderr).write(message) });
}
