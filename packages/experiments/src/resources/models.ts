import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DymuError } from '@dymu/core';
import { makeVitModel, makeVlmModel, readLlavaConfig } from '@dymu/weights';
import type { ModelConfig, ModelRef } from '../config/experiment.ts';

/**
 * The directory of a model: a path as given (relative to the working directory), or a generated
 * model written once into `<cache>/models/<kind>-<preset>-seed<seed>` (under a temporary name, then
 * renamed, so a crash never leaves half a model there).
 */
export function modelDir(ref: ModelRef, cache: string): string {
  if (typeof ref === 'string') return resolve(ref);
  const dir = resolve(cache, 'models', `${ref.generated}-${ref.preset}-seed${ref.seed}`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  const temporary = `${dir}.${process.pid}.tmp`;
  const options = { preset: ref.preset, seed: ref.seed, out: temporary };
  if (ref.generated === 'llama' || ref.generated === 'qwen2') makeVlmModel({ ...options, family: ref.generated });
  else makeVitModel({ ...options, arch: ref.generated });
  try {
    renameSync(temporary, dir);
  } catch (error) {
    if (!existsSync(join(dir, 'config.json'))) throw error;
    rmSync(temporary, { recursive: true }); // another process wrote it first
  }
  return dir;
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
