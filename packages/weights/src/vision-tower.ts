import { resolve } from 'node:path';
import { DymuError } from '@dymu/core';
import type { LlavaConfig } from './llm-config.ts';
import { readVitConfig, type VitConfig } from './vit-config.ts';
import { VitWeights } from './vit-weights.ts';
import { WeightStore } from './weight-store.ts';

/** The prefix under which LLaVA-NeXT saves a fine-tuned tower (its SigLipVisionTower / CLIPVisionTower inside the model; lmms-lab's OneVision). */
export const LLAVA_NEXT_TOWER_PREFIX = 'model.vision_tower.vision_tower.vision_model.';

/**
 * Where a LLaVA checkpoint keeps a vision tower it fine-tuned, as WeightStore names it: LLaVA-NeXT's
 * original layout (LLAVA_NEXT_TOWER_PREFIX), and llava-hf's (`vision_tower.…`, which WeightStore.open
 * reads as `vision_model.…`).
 */
const CHECKPOINT_PREFIXES = [LLAVA_NEXT_TOWER_PREFIX, 'vision_model.'];

/** A vision tower ready to load: its config, and the store (and prefix, `config.prefix`) its weights are read from. */
export interface VisionTower {
  /**
   * The tower directory's config.json; with a checkpoint's weights, `prefix` is theirs and
   * `numLayers` the blocks the checkpoint holds (LLaVA-NeXT's SigLipVisionTower deletes the last one).
   */
  config: VitConfig;
  /** The directory of config.json and preprocessor_config.json. */
  configDir: string;
  /** The directory whose weight files hold the weights used (the tower directory, or the checkpoint). */
  weightsDir: string;
  store: WeightStore;
  /** The config's own block count (`num_hidden_layers`), before any cut to the checkpoint's blocks. */
  configuredLayers: number;
  /** The weights are a LLaVA checkpoint's own (fine-tuned) tower, not the tower directory's. */
  fromCheckpoint: boolean;
}

/**
 * The vision tower of `dir` (its config.json and preprocessor_config.json), with its weights taken
 * from `checkpoint` when that LLaVA checkpoint holds them (its fine-tuned tower, as LLaVA loads it:
 * the tower built from its own config, then the checkpoint's state dict overriding the weights),
 * else from `dir`. The checkpoint's tower may hold fewer blocks than the config (LLaVA-NeXT drops
 * SigLIP's last); every tensor it holds must have the config's shape (a DymuError names the tensor).
 */
export function openVisionTower(dir: string, checkpoint?: WeightStore): VisionTower {
  const config = readVitConfig(dir);
  const base = { configDir: resolve(dir), configuredLayers: config.numLayers };
  const prefix = checkpoint && CHECKPOINT_PREFIXES.find((p) => checkpoint.has(`${p}embeddings.patch_embedding.weight`));
  if (!checkpoint || prefix === undefined) {
    return { ...base, config, weightsDir: resolve(dir), store: WeightStore.open(dir), fromCheckpoint: false };
  }
  let blocks = 0;
  while (checkpoint.has(`${prefix}encoder.layers.${blocks}.layer_norm1.weight`)) blocks++;
  const extra = `${prefix}encoder.layers.${config.numLayers}.layer_norm1.weight`;
  if (blocks > config.numLayers) {
    throw new DymuError(`the checkpoint's vision tower has more blocks than the ${config.numLayers} of the tower config ${config.source}`, { file: checkpoint.source, field: extra });
  }
  if (blocks === 0) throw new DymuError("the checkpoint's vision tower holds no encoder blocks", { file: checkpoint.source, field: `${prefix}encoder.layers.0.layer_norm1.weight` });
  const tower = { ...config, prefix, numLayers: blocks };
  try {
    new VitWeights(checkpoint, tower).checkAll();
  } catch (error) {
    if (!(error instanceof DymuError)) throw error;
    throw new DymuError(`${error.message} (the checkpoint's vision tower does not fit the tower config ${config.source})`, { cause: error });
  }
  return { ...base, config: tower, weightsDir: resolve(checkpoint.dir), store: checkpoint, fromCheckpoint: true };
}

/** Which tower a VLM uses, for the line a loader prints: `config <dir>, weights <dir> (fine-tuned)`. */
export function describeVisionTower(tower: VisionTower): string {
  const cut = tower.config.numLayers < tower.configuredLayers ? `, its first ${tower.config.numLayers} of ${tower.configuredLayers} blocks` : '';
  return `config ${tower.configDir}, weights ${tower.weightsDir}${tower.fromCheckpoint ? ` (the tower the checkpoint holds${cut})` : ''}`;
}

/**
 * The blocks of `tower` a LLaVA config's layer selection runs (mm_vision_select_layer /
 * vision_feature_layer, an index into hidden_states of the tower as its config describes it:
 * −2 of Google's 27-block so400m is 26 blocks). A selection the tower cannot give is a DymuError:
 * past the blocks a checkpoint holds (llava-hf's −1, meant for its 26-block tower, paired with
 * Google's 27-block config), or outside the tower.
 */
export function llavaSelectedBlocks(llava: LlavaConfig, tower: VisionTower): number {
  const field = llava.visionTower === '.' ? 'vision_feature_layer' : 'mm_vision_select_layer';
  const L = tower.configuredLayers;
  const blocks = llava.selectLayer < 0 ? L + 1 + llava.selectLayer : llava.selectLayer;
  if (blocks < 0 || blocks > L) {
    throw new DymuError(`${llava.selectLayer} is outside the hidden states 0…${L} of the ${L}-block tower ${tower.config.source}`, { file: llava.source, field });
  }
  if (blocks > tower.config.numLayers) {
    throw new DymuError(
      `${llava.selectLayer} takes the output of block ${blocks} of the ${L}-block tower ${tower.config.source}, but ${tower.weightsDir} holds only the first ${tower.config.numLayers}: ` +
        'the tower config does not fit this checkpoint (a llava-hf checkpoint counts from its own vision_config: give its own directory as the tower)',
      { file: llava.source, field },
    );
  }
  return blocks;
}
