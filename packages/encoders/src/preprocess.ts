/**
 * Image preprocessing for CLIP / SigLIP vision towers, reproducing the Hugging Face image processors
 * (`CLIPImageProcessor`, `SiglipImageProcessor`, the "slow" PIL-based ones) step by step:
 *
 * 1. decode (EXIF orientation applied, as `transformers.image_utils.load_image` does with
 *    `ImageOps.exif_transpose`), then `convert("RGB")`: alpha is dropped (not composited), grey is
 *    replicated to three channels, CMYK goes through libvips' CMYK→sRGB conversion. Embedded ICC
 *    profiles are ignored, as PIL ignores them.
 * 2. optional LLaVA-1.5 `expand2square` (`image_aspect_ratio: pad`): a square canvas of side
 *    max(w, h) filled with `int(mean * 255)` per channel, the image pasted at
 *    ((side - w) // 2, (side - h) // 2).
 * 3. resize: `resizeShortest` (CLIP; the long side is `int(S * long / short)`, transformers'
 *    `get_resize_output_image_size`) or `resizeTo` (SigLIP: straight to height × width).
 * 4. `centerCrop`: top = (h - ch) // 2, left = (w - cw) // 2; an image smaller than the crop is
 *    zero-padded exactly as transformers' `center_crop` does.
 * 5. rescale (`float32(x * rescaleFactor)`), normalise (`(x - mean) / std` in float32), CHW.
 *
 * Resizing: transformers resizes with `PIL.Image.resize(resample, reducing_gap=None)`. The default
 * resizer here (`'pil'`) is a port of Pillow's `libImaging/Resample.c` (separable convolution, kernel
 * widened by the downscale factor, 22-bit fixed-point coefficients, horizontal pass then vertical,
 * each rounded to uint8) and of its nearest-neighbour scaler, so the resized pixels equal PIL's bit
 * for bit (checked by the golden tests against Pillow). The alternative `'sharp'` resizer uses
 * libvips (`cubic` = Catmull-Rom, the same a = -0.5 kernel as PIL's BICUBIC, `linear`, `nearest`,
 * `lanczos3`); it is faster on huge images but not pixel-identical: measured on the fixture photos,
 * downscaling differs from PIL by ~0.17 grey levels on average (max 4-10), while upscaling differs
 * by ~4-5 levels on average (max > 100): libvips upsamples with a different pixel-centre
 * alignment. For large shrink factors libvips also box-filters first, which PIL (reducing_gap=None)
 * does not.
 */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { DymuError } from '@dymu/core';
import { isPilFilter, resizePil } from './pil-resize.ts';

export { resizePil };

/** How to preprocess images for one vision tower (mirrors `@dymu/weights`' `PreprocessSpec`). */
export interface PreprocessSpec {
  resizeShortest?: number;
  resizeTo?: { height: number; width: number };
  centerCrop?: { height: number; width: number };
  mean: [number, number, number];
  std: [number, number, number];
  rescaleFactor: number;
  /** PIL enum: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming. */
  resample: number;
  source: string;
}

/** `'pad-to-square'` is LLaVA-1.5's `image_aspect_ratio: pad`. */
export type PadMode = 'none' | 'pad-to-square';

/** `'pil'`: bit-exact port of Pillow's resampling (default). `'sharp'`: libvips, close but not identical. */
export type Resizer = 'pil' | 'sharp';

export interface PreprocessOptions {
  pad?: PadMode;
  resizer?: Resizer;
}

export interface PreprocessedImage {
  /** [3, height, width], channel-first RGB, rescaled and normalised. */
  pixels: Float32Array;
  height: number;
  width: number;
  /** Size of the decoded image after EXIF orientation, before padding and resizing. */
  original: { width: number; height: number };
  path?: string;
}

/** Interleaved 8-bit RGB (HWC). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Steps 1–4: the RGB image at the model's input resolution, exactly what the tower sees before
 * normalisation (also what visualisations draw on).
 */
export async function modelView(
  input: string | Buffer,
  spec: PreprocessSpec,
  opts: PreprocessOptions = {},
): Promise<{ image: RgbImage; original: { width: number; height: number } }> {
  checkSpec(spec);
  const pad = opts.pad ?? 'none', resizer = opts.resizer ?? 'pil';
  if (pad !== 'none' && pad !== 'pad-to-square') {
    throw new DymuError(`unknown pad mode ${JSON.stringify(pad)} (expected 'none' or 'pad-to-square')`, { field: 'pad' });
  }
  if (resizer !== 'pil' && resizer !== 'sharp') {
    throw new DymuError(`unknown resizer ${JSON.stringify(resizer)} (expected 'pil' or 'sharp')`, { field: 'resizer' });
  }
  const name = typeof input === 'string' ? input : '<buffer>';
  let img = await decodeRgb(input, name);
  const original = { width: img.width, height: img.height };

  if (pad === 'pad-to-square') img = padToSquare(img, spec.mean.map((m) => Math.trunc(m * 255)) as [number, number, number]);
  return { image: await resizeAndCrop(img, spec, resizer), original };
}

/** Steps 3–4 on a decoded image: the processor's resize, then its centre crop. */
export async function resizeAndCrop(img: RgbImage, spec: PreprocessSpec, resizer: Resizer = 'pil'): Promise<RgbImage> {
  const target = spec.resizeTo ?? (spec.resizeShortest !== undefined ? shortestEdgeSize(img.height, img.width, spec.resizeShortest) : undefined);
  if (target !== undefined) {
    img = resizer === 'pil'
      ? resizePil(img, target.width, target.height, spec.resample)
      : await resizeSharp(img, target.width, target.height, spec.resample, spec.source);
  }
  return spec.centerCrop !== undefined ? centerCrop(img, spec.centerCrop.height, spec.centerCrop.width) : img;
}

/** Steps 1–5: normalised CHW pixels for the tower. */
export async function preprocessImage(
  input: string | Buffer,
  spec: PreprocessSpec,
  opts: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  const { image, original } = await modelView(input, spec, opts);
  const result: PreprocessedImage = { pixels: normalise(image, spec), height: image.height, width: image.width, original };
  if (typeof input === 'string') result.path = input;
  return result;
}

export async function preprocessBatch(
  inputs: (string | Buffer)[],
  spec: PreprocessSpec,
  opts: PreprocessOptions = {},
): Promise<{ pixels: Float32Array; images: PreprocessedImage[] }> {
  const images: PreprocessedImage[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    try {
      images.push(await preprocessImage(input, spec, opts));
    } catch (e) {
      // Name the failing buffer by its position in the batch.
      if (e instanceof DymuError && typeof input !== 'string' && e.file === '<buffer>') {
        throw new DymuError(e.message.replace(/^<buffer>: /, ''), { file: `<buffer #${i}>`, field: e.field, cause: e.cause });
      }
      throw e;
    }
  }
  if (images.length === 0) return { pixels: new Float32Array(0), images };
  const { height, width } = images[0];
  const per = 3 * height * width;
  const pixels = new Float32Array(images.length * per);
  images.forEach((im, i) => {
    if (im.height !== height || im.width !== width) {
      throw new DymuError(
        `preprocessed to ${im.height}x${im.width} but image 0 gave ${height}x${width}: a batch needs one size (use centerCrop or resizeTo)`,
        { file: im.path ?? `<buffer #${i}>` },
      );
    }
    pixels.set(im.pixels, i * per);
    im.pixels = pixels.subarray(i * per, (i + 1) * per);
  });
  return { pixels, images };
}

/** Decodes to 8-bit RGB: EXIF orientation applied, alpha dropped, grey / CMYK converted, ICC ignored. */
export async function decodeRgb(input: string | Buffer, name = typeof input === 'string' ? input : '<buffer>'): Promise<RgbImage> {
  if (typeof input === 'string') {
    let isFile: boolean;
    try {
      isFile = (await stat(input)).isFile();
    } catch (e) {
      throw new DymuError(`cannot read image: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: name, cause: e });
    }
    if (!isFile) throw new DymuError('cannot read image: not a regular file', { file: name });
  }
  try {
    const { data, info } = await sharp(input, { ignoreIcc: true, autoOrient: true, failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (e) {
    throw new DymuError(`cannot decode image: ${(e as Error).message}`, { file: name, cause: e });
  }
}

/** LLaVA's `expand2square`: centre the image on a square canvas of `fill` colour. */
export function padToSquare(img: RgbImage, fill: readonly [number, number, number]): RgbImage {
  const { width: w, height: h } = img;
  if (w === h) return img;
  const side = Math.max(w, h);
  return pasteOnCanvas(img, side, side, (side - w) >> 1, (side - h) >> 1, fill);
}

/** PIL's `Image.new("RGB", (width, height), fill).paste(img, (left, top))`, the image inside the canvas. */
export function pasteOnCanvas(img: RgbImage, width: number, height: number, left: number, top: number, fill: readonly [number, number, number]): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    out[3 * i] = fill[0];
    out[3 * i + 1] = fill[1];
    out[3 * i + 2] = fill[2];
  }
  const w = img.width;
  for (let y = 0; y < img.height; y++) out.set(img.data.subarray(y * w * 3, (y + 1) * w * 3), ((top + y) * width + left) * 3);
  return { data: out, width, height };
}

/** transformers' `get_resize_output_image_size(size=S, default_to_square=False)`: {height, width}. */
export function shortestEdgeSize(height: number, width: number, size: number): { height: number; width: number } {
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? { height: newLong, width: size } : { height: size, width: newLong };
}

/**
 * transformers' `center_crop`: rows from (h - cropH) // 2, columns from (w - cropW) // 2. Where the
 * image is smaller than the crop, transformers first centres it on a zero canvas (top padding
 * ceil((cropH - h) / 2)); both amount to "source row = top + y", zero outside the image.
 */
export function centerCrop(img: RgbImage, cropH: number, cropW: number): RgbImage {
  const { width: w, height: h } = img;
  if (cropH === h && cropW === w) return img;
  return cropRegion(img, Math.floor((h - cropH) / 2), Math.floor((w - cropW) / 2), cropH, cropW);
}

/** PIL's `Image.crop((left, top, left + cropW, top + cropH))`: zero outside the image. */
export function cropRegion(img: RgbImage, top: number, left: number, cropH: number, cropW: number): RgbImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(cropH * cropW * 3);
  const x0 = Math.max(0, -left), x1 = Math.min(cropW, w - left);
  for (let y = 0; y < cropH; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= h || x1 <= x0) continue;
    out.set(data.subarray((sy * w + left + x0) * 3, (sy * w + left + x1) * 3), (y * cropW + x0) * 3);
  }
  return { data: out, width: cropW, height: cropH };
}

/** Step 5: rescale and normalise to CHW float32, with numpy's float32 arithmetic (via a 256-entry table). */
export function normalise(img: RgbImage, spec: PreprocessSpec): Float32Array {
  const n = img.width * img.height;
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(spec.mean[c]), s = Math.fround(spec.std[c]);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = Math.fround(Math.fround(Math.fround(v * spec.rescaleFactor) - m) / s);
  }
  const out = new Float32Array(3 * n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    out[i] = lut[d[3 * i]];
    out[n + i] = lut[256 + d[3 * i + 1]];
    out[2 * n + i] = lut[512 + d[3 * i + 2]];
  }
  return out;
}

const SHARP_KERNELS: Record<number, 'nearest' | 'lanczos3' | 'linear' | 'cubic'> = { 0: 'nearest', 1: 'lanczos3', 2: 'linear', 3: 'cubic' };

/** libvips resize (see the module comment for how far it is from PIL). */
async function resizeSharp(img: RgbImage, outW: number, outH: number, resample: number, source: string): Promise<RgbImage> {
  if (outW === img.width && outH === img.height) return img;
  const kernel = SHARP_KERNELS[resample];
  if (kernel === undefined) throw new DymuError(`resample filter ${resample} has no libvips equivalent (use the 'pil' resizer)`, { file: source, field: 'resample' });
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(outW, outH, { fit: 'fill', kernel })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: outW, height: outH };
}

function checkSpec(spec: PreprocessSpec): void {
  const where = (field: string) => ({ file: spec.source, field });
  const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  const checkSize = (s: { height: number; width: number } | undefined, field: string) => {
    if (s !== undefined && !(posInt(s.height) && posInt(s.width))) {
      throw new DymuError(`expected positive integer height and width, got ${JSON.stringify(s)}`, where(field));
    }
  };
  if (spec.resizeShortest !== undefined && !posInt(spec.resizeShortest)) {
    throw new DymuError(`expected a positive integer, got ${JSON.stringify(spec.resizeShortest)}`, where('resizeShortest'));
  }
  if (spec.resizeShortest !== undefined && spec.resizeTo !== undefined) {
    throw new DymuError('give resizeShortest or resizeTo, not both', where('resizeTo'));
  }
  checkSize(spec.resizeTo, 'resizeTo');
  checkSize(spec.centerCrop, 'centerCrop');
  for (const key of ['mean', 'std'] as const) {
    const v = spec[key];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new DymuError(`expected 3 finite numbers, got ${JSON.stringify(v)}`, where(key));
    }
  }
  if (spec.std.some((s) => s === 0)) throw new DymuError('std must not be 0', where('std'));
  if (!(typeof spec.rescaleFactor === 'number' && Number.isFinite(spec.rescaleFactor))) {
    throw new DymuError(`expected a finite number, got ${JSON.stringify(spec.rescaleFactor)}`, where('rescaleFactor'));
  }
  if (!isPilFilter(spec.resample)) {
    throw new DymuError(`expected a PIL resample filter 0-5, got ${JSON.stringify(spec.resample)}`, where('resample'));
  }
}
