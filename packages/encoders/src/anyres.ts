/**
 * LLaVA-OneVision's AnyRes geometry (`image_aspect_ratio: anyres_max_N`, `image_grid_pinpoints`,
 * `mm_patch_merge_type: spatial_unpad`), pure: which grid of crops an image gets, where it is pasted,
 * which crops are cut, which part of the crop grid's feature map survives unpadding, how far
 * `anyres_max_N` shrinks it, and how many tokens the LLM then sees. Each function follows one of
 * LLaVA-NeXT's (`llava/mm_utils.py`, `llava/model/llava_arch.py`), named in its comment, with Python's
 * arithmetic (doubles, `int()` truncation, float floor division); tools/golden/anyres_reference.py is
 * the numpy transcription the tests compare against.
 */
import { DymuError } from '@dymu/core';

/** A candidate resolution, width × height, in pixels. */
export type Pinpoint = readonly [width: number, height: number];

interface Where {
  file?: string;
  field: string;
}

/**
 * `image_grid_pinpoints` as config.json gives it: a list of [width, height] pairs, the same list as a
 * string, or the range form "(1x1),...,(6x6)" (mm_utils.get_anyres_image_grid_shape /
 * process_anyres_image: every (i, j) from the first to the last pair, i outer, times `cropSize`).
 */
export function parsePinpoints(value: unknown, cropSize: number, where: Where): Pinpoint[] {
  const bad = (why: string) => new DymuError(`${why}, got ${JSON.stringify(value)}`, where);
  if (typeof value === 'string' && value.includes('x')) {
    const pairs = [...value.matchAll(/\((\d+)x(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    if (pairs.length === 0) throw bad('expected pairs like "(1x1),...,(6x6)"');
    const [[i0, j0], [i1, j1]] = [pairs[0], pairs[pairs.length - 1]];
    const grid: Pinpoint[] = [];
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) grid.push([i * cropSize, j * cropSize]);
    if (grid.length === 0) throw bad('the range "(AxB),...,(CxD)" is empty');
    return grid;
  }
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value.replaceAll('(', '[').replaceAll(')', ']'));
    } catch {
      throw bad('expected a list of [width, height] pairs');
    }
  }
  const positive = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!Array.isArray(list) || list.length === 0 || !list.every((p) => Array.isArray(p) && p.length === 2 && p.every(positive))) {
    throw bad('expected a non-empty list of [width, height] pairs of positive integers');
  }
  return list.map((p) => [p[0], p[1]] as const);
}

/** mm_utils.select_best_resolution: the pinpoint keeping the most of the image (ties: the least padding). */
export function selectBestResolution(width: number, height: number, pinpoints: readonly Pinpoint[]): Pinpoint {
  let best = pinpoints[0];
  let maxEffective = 0;
  let minWasted = Infinity;
  for (const [w, h] of pinpoints) {
    const scale = Math.min(w / width, h / height);
    const effective = Math.min(Math.trunc(width * scale) * Math.trunc(height * scale), width * height);
    const wasted = w * h - effective;
    if (effective > maxEffective || (effective === maxEffective && wasted < minWasted)) {
      maxEffective = effective;
      minWasted = wasted;
      best = [w, h];
    }
  }
  return best;
}

/** Where mm_utils.resize_and_pad_image puts the image on the target canvas: its resized size and top-left corner. */
export interface PadBox {
  width: number;
  height: number;
  left: number;
  top: number;
}

/** mm_utils.resize_and_pad_image: scale to fit (the fitting side exact, the other rounded up), centred. */
export function resizeAndPadBox(width: number, height: number, [targetW, targetH]: Pinpoint): PadBox {
  const scaleW = targetW / width;
  const scaleH = targetH / height;
  const [w, h] = scaleW < scaleH ? [targetW, Math.min(Math.ceil(height * scaleW), targetH)] : [Math.min(Math.ceil(width * scaleH), targetW), targetH];
  return { width: w, height: h, left: Math.floor((targetW - w) / 2), top: Math.floor((targetH - h) / 2) };
}

/** A crop box (left, top, right, bottom) as PIL's Image.crop takes it. */
export type Box = readonly [left: number, top: number, right: number, bottom: number];

/** mm_utils.divide_to_patches: `size`² crops in raster order (rows of the padded image, then columns). */
export function cropBoxes([width, height]: Pinpoint, size: number): Box[] {
  const boxes: Box[] = [];
  for (let top = 0; top < height; top += size) for (let left = 0; left < width; left += size) boxes.push([left, top, left + size, top + size]);
  return boxes;
}

/** mm_utils.get_anyres_image_grid_shape: crops across and down. */
export function gridShape([width, height]: Pinpoint, size: number): { cols: number; rows: number } {
  return { cols: Math.floor(width / size), rows: Math.floor(height / size) };
}

/** Rows [top, bottom) and columns [left, right) of a feature map that survive unpadding. */
export interface Region {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** llava_arch.unpad_image: the part of a `rows` × `cols` feature map that the original `width` × `height` image covers. */
export function unpadRegion(rows: number, cols: number, width: number, height: number): Region {
  if (width / height > cols / rows) {
    const kept = Math.trunc(height * (cols / width));
    const padding = Math.floor((rows - kept) / 2);
    return { top: padding, bottom: rows - padding, left: 0, right: cols };
  }
  const kept = Math.trunc(width * (rows / height));
  const padding = Math.floor((cols - kept) / 2);
  return { top: 0, bottom: rows, left: padding, right: cols - padding };
}

/**
 * llava_arch.prepare_inputs_labels_for_multimodal, the anyres_max_N branch: with
 * `times = sqrt(h·w / (N·unit²))`, a map of more than 1.1² × N crops is shrunk (bilinear) to
 * `[int(h // times), int(w // times)]`; otherwise it keeps its size.
 */
export function maxCropsShape(rows: number, cols: number, maxCrops: number, unit: number): { rows: number; cols: number } {
  const times = Math.sqrt((rows * cols) / (maxCrops * unit ** 2));
  if (!(times > 1.1)) return { rows, cols };
  return { rows: Math.trunc(floorDiv(rows, times)), cols: Math.trunc(floorDiv(cols, times)) };
}

/** Python's float `a // b` (float_floor_div: fmod, then the correction that keeps it exact). */
export function floorDiv(a: number, b: number): number {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return 0;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

/** The AnyRes settings of a OneVision checkpoint. */
export interface AnyresSpec {
  pinpoints: readonly Pinpoint[];
  /** N of anyres_max_N (undefined: plain `anyres`, no shrinking). */
  maxCrops?: number;
  /** The vision tower's input side (crops are this size). */
  cropSize: number;
  /** Patches per side of one view (the feature map's unit). */
  unit: number;
}

/** Everything the geometry decides for one image. */
export interface AnyresLayout {
  /** The chosen pinpoint, width × height. */
  resolution: Pinpoint;
  pad: PadBox;
  crops: Box[];
  grid: { cols: number; rows: number };
  /** The crop grid's feature map, rows × cols positions, and the part that survives unpadding. */
  map: { rows: number; cols: number };
  unpadded: Region;
  /** The unpadded map after the anyres_max_N shrink. */
  packed: { rows: number; cols: number };
  /** LLM tokens: the base view's unit², then packed rows × (cols + one image_newline). */
  tokens: { base: number; grid: number; total: number };
}

/** The whole geometry of one `width` × `height` image. */
export function anyresLayout(width: number, height: number, spec: AnyresSpec): AnyresLayout {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new DymuError(`expected a positive integer image size, got ${width}×${height}`, { field: 'image size' });
  }
  const resolution = selectBestResolution(width, height, spec.pinpoints);
  const grid = gridShape(resolution, spec.cropSize);
  const map = { rows: grid.rows * spec.unit, cols: grid.cols * spec.unit };
  const unpadded = unpadRegion(map.rows, map.cols, width, height);
  const kept = { rows: unpadded.bottom - unpadded.top, cols: unpadded.right - unpadded.left };
  const packed = spec.maxCrops === undefined ? kept : maxCropsShape(kept.rows, kept.cols, spec.maxCrops, spec.unit);
  const base = spec.unit * spec.unit;
  const gridTokens = packed.rows * (packed.cols + 1);
  return {
    resolution,
    pad: resizeAndPadBox(width, height, resolution),
    crops: cropBoxes(resolution, spec.cropSize),
    grid,
    map,
    unpadded,
    packed,
    tokens: { base, grid: gridTokens, total: base + gridTokens },
  };
}
