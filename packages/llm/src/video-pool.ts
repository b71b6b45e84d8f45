import { DymuError } from '@dymu/core';
import { GraphBuilder, type OnnxModel, type WeightSource } from '@dymu/onnx';
import type { LlavaConfig } from '@dymu/weights';
import { concat, int64Vector } from './arrays.ts';
import { bilinearResize } from './bilinear-graph.ts';
import type { ImageRows } from './splice.ts';

/**
 * LLaVA-OneVision's video features (LLaVA-NeXT llava_arch.py): each frame's projected features
 * viewed as its side × side patch map and shrunk by `get_2dPool` (mm_spatial_pool_mode 'bilinear':
 * torch's interpolate to ceil(side / stride)², align_corners=False), the frames one after another,
 * then mm_newline_position 'one_token': one `image_newline` after the last frame (only for an
 * '…unpad' mm_patch_merge_type, as LLaVA-NeXT adds it) or 'no_token': none.
 */
export interface VideoPoolSpec {
  stride: number;
  /** Patches per side of a frame (the tower's image size / patch size). */
  side: number;
  /** ceil(side / stride): the pooled map's side. */
  pooledSide: number;
  /** Whether one image_newline row closes the video. */
  newline: boolean;
}

/** The video pooling a checkpoint's config.json asks for; unsupported values are a DymuError naming the field. */
export function videoPoolSpec(config: LlavaConfig, side: number): VideoPoolSpec {
  const { mode, stride, newline } = config.videoPooling;
  const where = (field: string) => ({ file: config.source, field });
  if (mode !== 'bilinear') throw new DymuError(`only "bilinear" (LLaVA-OneVision's) is supported, got ${JSON.stringify(mode)}`, where('mm_spatial_pool_mode'));
  if (!Number.isInteger(stride) || (stride as number) < 1) throw new DymuError(`expected a positive integer, got ${JSON.stringify(stride)}`, where('mm_spatial_pool_stride'));
  if (newline !== 'one_token' && newline !== 'no_token') {
    throw new DymuError(`only "one_token" (LLaVA-OneVision's) and "no_token" are supported, got ${JSON.stringify(newline)}`, where('mm_newline_position'));
  }
  return { stride: stride as number, side, pooledSide: Math.ceil(side / (stride as number)), newline: newline === 'one_token' && config.patchMergeType.includes('unpad') };
}

/** The LLM rows of a video of `frames` frames without merging: frames × pooledSide² (+ 1 newline). */
export function pooledVideoTokens(spec: VideoPoolSpec, frames: number): number {
  return frames * spec.pooledSide ** 2 + (spec.newline ? 1 : 0);
}

/**
 * The pooling graph: rows [F · side², D] (frame after frame, patches in raster order) reshaped by
 * `grid_shape` = [F, side, side, D], resized to `sizes` = [F, D, s', s'] (bilinearResize: torch's
 * bilinear with align_corners=False), back to rows [F · s'², D], and
 * with `newline` one image_newline row after them.
 */
export function videoPoolGraph(width: number, newline?: WeightSource): OnnxModel {
  const g = new GraphBuilder('video_pool');
  const rows = g.input('rows', 'float32', ['rows', width]);
  const gridShape = g.input('grid_shape', 'int64', [4]);
  const sizes = g.input('sizes', 'int64', [4]);
  const pooled = g.op1('Reshape', [bilinearResize(g, g.op1('Reshape', [rows, gridShape]), sizes), g.constInt64([-1, width])]);
  const out = newline ? g.op1('Concat', [pooled, g.initializer('image_newline', newline, [1, width])], { axis: 0 }) : pooled;
  g.output(out, 'pooled', 'float32', ['pooled', width]);
  return g.toModel();
}

/** The inputs of the pooling graph for one video's unmerged frames (each `side²` rows in raster order). */
export function videoPoolFeeds(spec: VideoPoolSpec, frames: readonly ImageRows[], width: number) {
  const patches = spec.side ** 2;
  const bad = frames.findIndex((f) => f.count !== patches);
  if (bad >= 0) throw new DymuError(`frame ${bad} has ${frames[bad].count} tokens, but pooling needs the unmerged ${spec.side}×${spec.side} patches`, { field: 'frames' });
  return {
    rows: { data: concat(frames.map((f) => f.rows)), dims: [frames.length * patches, width] },
    grid_shape: int64Vector([frames.length, spec.side, spec.side, width]),
    sizes: int64Vector([frames.length, width, spec.pooledSide, spec.pooledSide]),
  };
}
