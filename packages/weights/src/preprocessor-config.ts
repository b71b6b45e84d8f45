import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { isObject, positiveInt, positiveNumber, readJson } from './json.ts';
import type { VitConfig } from './vit-config.ts';

type Rgb = [number, number, number];

export interface Size {
  height: number;
  width: number;
}

export interface PreprocessorConfig {
  resizeShortest?: number;
  resizeTo?: Size;
  centerCrop?: Size;
  mean: Rgb;
  std: Rgb;
  rescaleFactor: number;
  /** PIL resampling filter; 3 = bicubic. */
  resample: number;
  /** The preprocessor_config.json read, or 'defaults'. */
  source: string;
}

/** What transformers' CLIPImageProcessor / SiglipImageProcessor do at the config's image size. */
export function defaultPreprocessorConfig(config: VitConfig): PreprocessorConfig {
  const side = config.imageSize;
  const common = { rescaleFactor: 1 / 255, resample: 3, source: 'defaults' };
  return config.arch === 'clip'
    ? { resizeShortest: side, centerCrop: square(side), mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], ...common }
    : { resizeTo: square(side), mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], ...common };
}

/**
 * preprocessor_config.json of a model directory, in the old feature-extractor format (`"size": 336`,
 * `"crop_size": 336`) or the image-processor one (`{"shortest_edge": n}`, `{"height": h, "width": w}`),
 * honouring do_resize / do_center_crop / do_rescale / do_normalize. Fields it omits take the
 * family defaults; without the file, everything does.
 */
export function readPreprocessorConfig(dir: string, config: VitConfig): PreprocessorConfig {
  const file = join(dir, 'preprocessor_config.json');
  const defaults = defaultPreprocessorConfig(config);
  if (!existsSync(file)) return defaults;
  const raw = readJson(file);
  const flag = (key: string, fallback: boolean): boolean => {
    if (raw[key] === undefined) return fallback;
    if (typeof raw[key] !== 'boolean') throw new DymuError(`expected true or false, got ${JSON.stringify(raw[key])}`, { file, field: key });
    return raw[key];
  };
  const out: PreprocessorConfig = { mean: [0, 0, 0], std: [1, 1, 1], rescaleFactor: 1, resample: defaults.resample, source: file };
  if (flag('do_resize', true)) {
    const size = raw.size;
    if (size === undefined) Object.assign(out, { resizeShortest: defaults.resizeShortest, resizeTo: defaults.resizeTo });
    else if (isObject(size) && size.shortest_edge !== undefined) out.resizeShortest = positiveInt(size.shortest_edge, file, 'size.shortest_edge');
    else if (typeof size === 'number' && config.arch === 'clip') out.resizeShortest = positiveInt(size, file, 'size'); // CLIP reads an int as the shortest edge, SigLIP as a square
    else out.resizeTo = hw(size, file, 'size');
    if (raw.resample !== undefined) out.resample = resample(raw.resample, file);
  }
  if (flag('do_center_crop', defaults.centerCrop !== undefined)) {
    out.centerCrop = raw.crop_size === undefined ? square(config.imageSize) : hw(raw.crop_size, file, 'crop_size');
  }
  if (flag('do_rescale', true)) out.rescaleFactor = raw.rescale_factor === undefined ? defaults.rescaleFactor : positiveNumber(raw.rescale_factor, file, 'rescale_factor');
  if (flag('do_normalize', true)) {
    out.mean = rgb(raw.image_mean ?? defaults.mean, file, 'image_mean');
    out.std = rgb(raw.image_std ?? defaults.std, file, 'image_std');
    if (!out.std.every((v) => v > 0)) throw new DymuError(`expected values above 0, got ${JSON.stringify(out.std)}`, { file, field: 'image_std' });
  }
  const final = out.centerCrop ?? out.resizeTo;
  if (final && (final.height !== config.imageSize || final.width !== config.imageSize)) {
    throw new DymuError(`gives ${final.height}x${final.width} images, but ${config.source} has image_size ${config.imageSize}`, {
      file, field: out.centerCrop ? 'crop_size' : 'size',
    });
  }
  return out;
}

function square(side: number): Size {
  return { height: side, width: side };
}

function hw(value: unknown, file: string, field: string): Size {
  if (typeof value === 'number') return square(positiveInt(value, file, field));
  if (isObject(value) && (value.height !== undefined || value.width !== undefined)) {
    return { height: positiveInt(value.height, file, `${field}.height`), width: positiveInt(value.width, file, `${field}.width`) };
  }
  throw new DymuError(`expected an integer or {"height": h, "width": w}, got ${JSON.stringify(value)}`, { file, field });
}

function resample(value: unknown, file: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5) return value;
  throw new DymuError(`expected a PIL resampling filter 0..5, got ${JSON.stringify(value)}`, { file, field: 'resample' });
}

function rgb(value: unknown, file: string, field: string): Rgb {
  const values = typeof value === 'number' ? [value, value, value] : value;
  if (Array.isArray(values) && values.length === 3 && values.every((v) => Number.isFinite(v))) return [values[0], values[1], values[2]];
  throw new DymuError(`expected 3 numbers, got ${JSON.stringify(value)}`, { file, field });
}
