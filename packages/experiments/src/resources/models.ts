import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commitDirectory, DymuError, temporaryDirectory } from '@dymu/core';
import { vlmPreprocess, type Preprocess } from '@dymu/encoders';
import { makeVitModel, makeVlmModel, openVisionTower, readLlavaConfig, type VisionTower, WeightStore } from '@dymu/weights';
import type { ModelConfig, ModelRef } from '../config/experiment.ts';
import type { ModelFingerprints } from '../results/run-dir.ts';

/**
 * The directory of a model: a path as given (relative to the working directory), or a generated
 * model written once into `<cache>/models/<kind>-<preset>-seed<seed>` (under a temporary name, then
 * renamed, so a crash never leaves half a model there).
 */
export function modelDir(ref: ModelRef, cache: string): string {
  if (typeof ref === 'string') return resolve(ref);
  const dir = resolve(cache, 'models', `${ref.generated}-${ref.preset}-seed${ref.seed}`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  const temporary = temporaryDirectory(dir);
  const options = { preset: ref.preset, seed: ref.seed, out: temporary };
  if (ref.generated === 'llama' || ref.generated === 'qwen2') makeVlmModel({ ...options, family: ref.generated });
  else makeVitModel({ ...options, arch: ref.generated });
  commitDirectory(temporary, dir);
  return dir;
}

/** How a run's images are preprocessed: `model.pad` when given (always, without an llm: the schema fills in the default), else the VLM's own. */
export function modelPreprocess(model: ModelConfig, cache: string): Preprocess {
  if (model.pad !== undefined) return model.pad ? 'pad' : 'resize';
  return vlmPreprocess(readLlavaConfig(modelDir(model.llm!, cache)).imageAspectRatio);
}

/** The vision tower of a model config: `encoder`, else the directory the LLaVA checkpoint's `mm_vision_tower` names inside it. */
export function visionTowerDir(model: ModelConfig, cache: string): string {
  if (model.encoder !== null) return modelDir(model.encoder, cache);
  const llm = modelDir(model.llm!, cache);
  const config = readLlavaConfig(llm);
  const dir = resolve(llm, config.visionTower);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DymuError(`${JSON.stringify(config.visionTower)} is not a directory inside the checkpoint: set model.encoder to the vision tower`, { file: config.source, field: 'mm_vision_tower' });
  }
  return dir;
}

/**
 * The vision tower a model config uses, as its VLM does: the config of visionTowerDir, the weights the
 * LLaVA checkpoint's own (fine-tuned) tower when `llm` holds one (OneVision), else visionTowerDir's.
 */
export function modelVisionTower(model: ModelConfig, cache: string): VisionTower {
  return openVisionTower(visionTowerDir(model, cache), model.llm === null ? undefined : WeightStore.open(modelDir(model.llm, cache)));
}

/**
 * The content fingerprint (`WeightStore.contentFingerprint`: full hashes of the weights, cached
 * under `<cache>/hashes`, and the config and tokenizer files) of every model directory a run uses:
 * `encoder` (the vision tower, also when it sits inside the LLaVA checkpoint) and `llm` (which also
 * covers a fine-tuned tower the checkpoint holds, see modelVisionTower).
 */
export async function modelFingerprints(model: ModelConfig, cache: string): Promise<ModelFingerprints> {
  const dirs: Record<string, string> = { encoder: visionTowerDir(model, cache) };
  if (model.llm !== null) dirs.llm = modelDir(model.llm, cache);
  const out: Record<string, { dir: string; fingerprint: string }> = {};
  for (const [role, dir] of Object.entries(dirs)) out[role] = { dir, fingerprint: await WeightStore.open(dir).contentFingerprint(cache) };
  return out;
}
