import { DymuError } from '@dymu/core';
import { type AnyresLayout, type AnyresSpec, parsePinpoints } from '@dymu/encoders';
import { GraphBuilder, type OnnxModel, type WeightSource } from '@dymu/onnx';
import type { LlavaConfig } from '@dymu/weights';
import { concat, int64Vector } from './arrays.ts';
import { bilinearResize } from './bilinear-graph.ts';
import type { ImageRows } from './splice.ts';

/**
 * LLaVA-OneVision's `spatial_unpad` packing of one AnyRes image (llava_arch.py,
 * prepare_inputs_labels_for_multimodal): the crops' projected features laid out as one map of
 * grid rows × unit by grid cols × unit positions, unpadded to the part the image covers, shrunk
 * bilinearly under anyres_max_N, an `image_newline` row closing every row, the base view's features
 * in front.
 */

/** The AnyRes settings a checkpoint's config.json asks for, or undefined for a whole-image model. */
export function anyresSpec(config: LlavaConfig, cropSize: number, unit: number): AnyresSpec | undefined {
  const ratio = config.imageAspectRatio;
  if (!ratio.startsWith('anyres')) return undefined;
  const max = /^anyres_max_(\d+)$/.exec(ratio);
  if (ratio !== 'anyres' && !max) throw new DymuError(`expected "anyres" or "anyres_max_<N>", got ${JSON.stringify(ratio)}`, { file: config.source, field: 'image_aspect_ratio' });
  if (config.patchMergeType !== 'spatial_unpad') {
    throw new DymuError(`only "spatial_unpad" is supported with AnyRes, got ${JSON.stringify(config.patchMergeType)}`, { file: config.source, field: 'mm_patch_merge_type' });
  }
  if (config.imageGridPinpoints === undefined) throw new DymuError('is required with AnyRes', { file: config.source, field: 'image_grid_pinpoints' });
  const pinpoints = parsePinpoints(config.imageGridPinpoints, cropSize, { file: config.source, field: 'image_grid_pinpoints' });
  const bad = pinpoints.find(([w, h]) => w % cropSize !== 0 || h % cropSize !== 0);
  if (bad) throw new DymuError(`${bad[0]}×${bad[1]} is not a grid of the vision tower's ${cropSize}² crops`, { file: config.source, field: 'image_grid_pinpoints' });
  const maxCrops = max ? Number(max[1]) : undefined;
  if (maxCrops === 0) throw new DymuError('anyres_max_0 allows no crops', { file: config.source, field: 'image_aspect_ratio' });
  return { pinpoints, maxCrops, cropSize, unit };
}

/**
 * For each position of the unpadded map (raster order), the row of `crops` (the crops' rows one
 * after another) that holds its patch: crop (row ÷ unit, col ÷ unit) of the grid, patch
 * (row mod unit, col mod unit) of the crop, through the crop's source map.
 */
function unpaddedRows(layout: AnyresLayout, unit: number, crops: readonly ImageRows[]): BigInt64Array {
  const { unpadded: u, grid } = layout;
  if (crops.length !== grid.rows * grid.cols) throw new DymuError(`${crops.length} crops for a ${grid.cols}×${grid.rows} grid`, { field: 'crops' });
  const starts: number[] = [];
  crops.reduce((at, c) => (starts.push(at), at + c.count), 0);
  const index = new BigInt64Array((u.bottom - u.top) * (u.right - u.left));
  let i = 0;
  for (let r = u.top; r < u.bottom; r++) {
    for (let c = u.left; c < u.right; c++) {
      const k = Math.floor(r / unit) * grid.cols + Math.floor(c / unit);
      index[i++] = BigInt(starts[k] + crops[k].source[(r % unit) * unit + (c % unit)]);
    }
  }
  return index;
}

/**
 * The packing graph: rows [R, D] gathered by `index` into the h × w unpadded map (`map_shape`
 * = [1, h, w, D]), resized to `sizes` = [1, D, h', w'] (bilinearResize, as
 * torch's interpolate(mode="bilinear", align_corners=False); the identity when h' = h, w' = w),
 * an image_newline row appended to each of the h' rows → packed [h' · (w' + 1), D].
 */
export function anyresPackGraph(newline: WeightSource, width: number): OnnxModel {
  const g = new GraphBuilder('anyres_pack');
  const rows = g.input('rows', 'float32', ['rows', width]);
  const index = g.input('index', 'int64', ['positions']);
  const mapShape = g.input('map_shape', 'int64', [4]);
  const sizes = g.input('sizes', 'int64', [4]);
  const grid = bilinearResize(g, g.op1('Reshape', [g.op1('Gather', [rows, index], { axis: 0 }), mapShape]), sizes);
  const newlineShape = g.op1('Concat', [g.op1('Slice', [g.op1('Shape', [grid]), g.constInt64([0]), g.constInt64([2])]), g.constInt64([1, width])], { axis: 0 });
  const newlines = g.op1('Expand', [g.initializer('image_newline', newline, [width]), newlineShape]);
  const packed = g.op1('Reshape', [g.op1('Concat', [grid, newlines], { axis: 2 }), g.constInt64([-1, width])]);
  g.output(packed, 'packed', 'float32', ['packed', width]);
  return g.toModel();
}

/** The inputs of the packing graph for one image whose crops are `crops`. */
export function anyresPackFeeds(layout: AnyresLayout, unit: number, crops: readonly ImageRows[], width: number) {
  const { unpadded: u, packed } = layout;
  const index = unpaddedRows(layout, unit, crops);
  return {
    rows: { data: concat(crops.map((c) => c.rows)), dims: [crops.reduce((n, c) => n + c.count, 0), width] },
    index: { data: index, dims: [index.length] },
    map_shape: int64Vector([1, u.bottom - u.top, u.right - u.left, width]),
    sizes: int64Vector([1, width, packed.rows, packed.cols]),
  };
}
