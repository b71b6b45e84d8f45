import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import {
  centerCrop,
  preprocessBatch,
  preprocessImage,
  resizePil,
  shortestEdgeSize,
  type PreprocessSpec,
  type RgbImage,
} from '../src/preprocess.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ASSETS = resolve(here, '../../../assets/images');
const GOLDEN = JSON.parse(readFileSync(join(here, 'golden/preprocess.json'), 'utf8')) as Golden;

interface Summary { shape: number[]; mean: number[]; std: number[]; grid: number[][][] }
interface Golden {
  images: Record<string, Record<'clip' | 'clip-pad' | 'siglip', Summary & { resized: number[] }>>;
  resize: { from: [number, number]; to: [number, number]; resample: number; rgb_b64: string }[];
}

const CLIP: PreprocessSpec = {
  resizeShortest: 336,
  centerCrop: { height: 336, width: 336 },
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
  rescaleFactor: 0.00392156862745098,
  resample: 3,
  source: 'test:clip',
};
const SIGLIP: PreprocessSpec = {
  resizeTo: { height: 384, width: 384 },
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  rescaleFactor: 0.00392156862745098,
  resample: 3,
  source: 'test:siglip',
};
/** Leaves the uint8 values unchanged, so tests can read pixels back exactly. */
const RAW: PreprocessSpec = { mean: [0, 0, 0], std: [1, 1, 1], rescaleFactor: 1, resample: 3, source: 'test:raw' };

const tmp = mkdtempSync(join(tmpdir(), 'dymu-preprocess-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** numpy's float32 rescale + normalise of one uint8 value. */
function expectedValue(v: number, spec: PreprocessSpec, c: number): number {
  return Math.fround(Math.fround(Math.fround(v * spec.rescaleFactor) - Math.fround(spec.mean[c])) / Math.fround(spec.std[c]));
}

function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

/** A PNG whose pixel (x, y) is (x, y, (x + 2y) % 256): position is readable after cropping. */
function coordPng(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x % 256, y % 256, (x + 2 * y) % 256], (y * width + x) * 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Pixel (x, y) of a CHW array, as [r, g, b]. */
function at(p: Float32Array, h: number, w: number, x: number, y: number): number[] {
  return [0, 1, 2].map((c) => p[c * h * w + y * w + x]);
}

function summary(p: Float32Array, h: number, w: number): Omit<Summary, 'shape'> {
  const mean: number[] = [], std: number[] = [], grid: number[][][] = [];
  for (let c = 0; c < 3; c++) {
    const o = c * h * w;
    let s = 0;
    for (let i = 0; i < h * w; i++) s += p[o + i];
    const m = s / (h * w);
    let s2 = 0;
    for (let i = 0; i < h * w; i++) s2 += (p[o + i] - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(s2 / (h * w)));
    grid.push([0, 1, 2, 3].map((gy) => [0, 1, 2, 3].map((gx) => {
      const y0 = Math.floor(((2 * gy + 1) * h) / 8) - 4, x0 = Math.floor(((2 * gx + 1) * w) / 8) - 4;
      let t = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) t += p[o + (y0 + y) * w + x0 + x];
      return t / 64;
    })));
  }
  return { mean, std, grid };
}

function maxDiffs(ours: Omit<Summary, 'shape'>, ref: Summary): { stats: number; grid: number } {
  let stats = 0, grid = 0;
  for (let c = 0; c < 3; c++) {
    stats = Math.max(stats, Math.abs(ours.mean[c] - ref.mean[c]), Math.abs(ours.std[c] - ref.std[c]));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) grid = Math.max(grid, Math.abs(ours.grid[c][i][j] - ref.grid[c][i][j]));
  }
  return { stats, grid };
}

async function expectDymuError(p: Promise<unknown>, file: string): Promise<DymuError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DymuError);
  expect((e as DymuError).file).toBe(file);
  expect((e as DymuError).message).toContain(file);
  return e as DymuError;
}

describe('preprocessImage: exact rules', () => {
  it('maps a solid colour to exactly (c/255 - mean)/std everywhere, CHW', async () => {
    const rgb: [number, number, number] = [200, 30, 117];
    const r = await preprocessImage(await solidPng(300, 200, rgb), CLIP);
    expect([r.height, r.width, r.pixels.length]).toEqual([336, 336, 3 * 336 * 336]);
    expect(r.original).toEqual({ width: 300, height: 200 });
    expect(r.path).toBeUndefined();
    for (let c = 0; c < 3; c++) {
      const want = expectedValue(rgb[c], CLIP, c);
      expect(Math.abs(want - (rgb[c] / 255 - CLIP.mean[c]) / CLIP.std[c])).toBeLessThan(1e-6);
      const plane = r.pixels.subarray(c * 336 * 336, (c + 1) * 336 * 336);
      expect(plane.every((v) => v === want)).toBe(true);
    }
  });

  it('computes the resized size like transformers (long side truncated)', async () => {
    expect(shortestEdgeSize(200, 300, 336)).toEqual({ height: 336, width: 504 });
    expect(shortestEdgeSize(300, 200, 336)).toEqual({ height: 504, width: 336 });
    expect(shortestEdgeSize(200, 301, 336)).toEqual({ height: 336, width: 505 }); // 505.68 -> 505
    expect(shortestEdgeSize(341, 512, 336)).toEqual({ height: 336, width: 504 }); // 504.47 -> 504
    expect(shortestEdgeSize(100, 100, 336)).toEqual({ height: 336, width: 336 });
    const spec = { ...CLIP, centerCrop: undefined };
    const a = await preprocessImage(await solidPng(300, 200, [1, 2, 3]), spec);
    expect([a.height, a.width]).toEqual([336, 504]);
    const b = await preprocessImage(await solidPng(301, 200, [1, 2, 3]), spec);
    expect([b.height, b.width]).toEqual([336, 505]);
    const c = await preprocessImage(await solidPng(200, 300, [1, 2, 3]), spec);
    expect([c.height, c.width]).toEqual([504, 336]);
    const s = await preprocessImage(await solidPng(300, 200, [1, 2, 3]), SIGLIP);
    expect([s.height, s.width]).toEqual([384, 384]);
  });

  it('crops at top = (h - ch) // 2, left = (w - cw) // 2', async () => {
    // resizeShortest equal to the short side: no resampling, so values are the source pixels.
    const spec = { ...RAW, resizeShortest: 200, centerCrop: { height: 100, width: 150 } };
    const r = await preprocessImage(await coordPng(301, 200), spec);
    expect([r.height, r.width]).toEqual([100, 150]);
    const left = 75, top = 50; // (301 - 150) // 2, (200 - 100) // 2
    for (const [x, y] of [[0, 0], [149, 0], [0, 99], [149, 99], [70, 33]]) {
      expect(at(r.pixels, 100, 150, x, y)).toEqual([(left + x) % 256, top + y, (left + x + 2 * (top + y)) % 256]);
    }
  });

  it('pads with zeros, like transformers, when the crop is larger than the image', () => {
    const img: RgbImage = { width: 10, height: 6, data: new Uint8Array(180).fill(9) };
    const out = centerCrop(img, 8, 8); // top = (6 - 8) // 2 = -1, left = (10 - 8) // 2 = 1
    const px = (x: number, y: number) => out.data[(y * 8 + x) * 3];
    expect([px(0, 0), px(7, 0), px(0, 7)]).toEqual([0, 0, 0]);
    expect([px(0, 1), px(7, 6)]).toEqual([9, 9]);
  });

  it('resizes a non-square photo and crops the centre (300x200 -> 504x336 -> 336x336)', async () => {
    // Columns 0-149 black, 150-299 white: after resizing to 504 wide the edge sits at 252, and
    // the crop from 84 puts it at output column 168; rows stay uniform.
    const data = Buffer.alloc(300 * 200 * 3);
    for (let y = 0; y < 200; y++) data.fill(255, (y * 300 + 150) * 3, (y * 300 + 300) * 3);
    const png = await sharp(data, { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
    const r = await preprocessImage(png, { ...RAW, resizeShortest: 336, centerCrop: { height: 336, width: 336 } });
    const row = Array.from({ length: 336 }, (_, x) => at(r.pixels, 336, 336, x, 100)[0]);
    expect(row.slice(0, 165).every((v) => v === 0)).toBe(true);
    expect(row.slice(171).every((v) => v === 255)).toBe(true);
    expect(row[167] + row[168]).toBe(255); // symmetric around the edge at 168
    expect(at(r.pixels, 336, 336, 200, 0)).toEqual(at(r.pixels, 336, 336, 200, 335));
  });

  it('pads to square with int(mean * 255) and centres the image (LLaVA expand2square)', async () => {
    const fill = CLIP.mean.map((m) => Math.trunc(m * 255));
    expect(fill).toEqual([122, 116, 104]);
    // 41x20 wide image: side 41, pasted at y = (41 - 20) // 2 = 10.
    const wide = await preprocessImage(await solidPng(41, 20, [255, 0, 0]), { ...RAW, mean: CLIP.mean, std: [1, 1, 1], rescaleFactor: 1 }, { pad: 'pad-to-square' });
    expect([wide.height, wide.width]).toEqual([41, 41]);
    const raw = (x: number, y: number) => at(wide.pixels, 41, 41, x, y).map((v, c) => Math.round(v + CLIP.mean[c]) + 0);
    for (let y = 0; y < 41; y++) expect(raw(20, y)).toEqual(y >= 10 && y < 30 ? [255, 0, 0] : fill);
    expect(raw(0, 10)).toEqual([255, 0, 0]);
    expect(raw(40, 29)).toEqual([255, 0, 0]);
    // 20x41 tall image: pasted at x = 10; then CLIP-normalised: the padding is exactly the mean colour.
    const tall = await preprocessImage(await solidPng(20, 41, [0, 255, 0]), { ...CLIP, resizeShortest: 41, centerCrop: undefined }, { pad: 'pad-to-square' });
    expect([tall.height, tall.width]).toEqual([41, 41]);
    for (let x = 0; x < 41; x++) {
      const want = x >= 10 && x < 30 ? [0, 255, 0] : fill;
      expect(at(tall.pixels, 41, 41, x, 5)).toEqual(want.map((v, c) => expectedValue(v, CLIP, c)));
    }
    // A square image is left alone.
    const sq = await preprocessImage(await solidPng(30, 30, [1, 2, 3]), RAW, { pad: 'pad-to-square' });
    expect([sq.height, sq.width]).toEqual([30, 30]);
  });

  it('gives three equal channels for a greyscale image', async () => {
    const grey = Buffer.alloc(40 * 30);
    for (let i = 0; i < grey.length; i++) grey[i] = (i * 7) % 256;
    const png = await sharp(grey, { raw: { width: 40, height: 30, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(1);
    const r = await preprocessImage(png, RAW);
    const n = 40 * 30;
    for (let i = 0; i < n; i++) {
      expect(r.pixels[i]).toBe(grey[i]);
      expect(r.pixels[n + i]).toBe(grey[i]);
      expect(r.pixels[2 * n + i]).toBe(grey[i]);
    }
  });

  it('drops alpha without compositing (PIL convert("RGB"))', async () => {
    const rgba = Buffer.alloc(8 * 4 * 4);
    for (let i = 0; i < 32; i++) rgba.set([100, 150, 200, i * 8], 4 * i);
    const png = await sharp(rgba, { raw: { width: 8, height: 4, channels: 4 } }).png().toBuffer();
    const r = await preprocessImage(png, { ...RAW, resizeTo: { height: 8, width: 16 } });
    expect([r.height, r.width]).toEqual([8, 16]);
    for (let i = 0; i < 8 * 16; i++) expect(at(r.pixels, 8, 16, i % 16, Math.floor(i / 16))).toEqual([100, 150, 200]);
  });

  it('applies EXIF orientation and converts CMYK to RGB', async () => {
    const rotated = await sharp({ create: { width: 30, height: 20, channels: 3, background: 'red' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await preprocessImage(rotated, RAW);
    expect(r.original).toEqual({ width: 20, height: 30 });
    expect([r.height, r.width]).toEqual([30, 20]);
    const cmyk = await sharp(await solidPng(16, 16, [40, 160, 220])).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const c = await preprocessImage(cmyk, RAW);
    expect(c.pixels.length).toBe(3 * 16 * 16);
    // The sRGB -> CMYK -> sRGB round trip through libvips' profiles is only approximate.
    at(c.pixels, 16, 16, 8, 8).forEach((v, i) => expect(Math.abs(v - [40, 160, 220][i])).toBeLessThan(40));
  });
});

describe('preprocessImage: errors', () => {
  it('names the file that is missing, undecodable or truncated', async () => {
    const missing = join(tmp, 'missing.jpg');
    expect((await expectDymuError(preprocessImage(missing, CLIP), missing)).message).toContain('no such file');
    const random = join(tmp, 'random.jpg');
    writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
    await expectDymuError(preprocessImage(random, CLIP), random);
    const truncated = join(tmp, 'truncated.jpg');
    const jpeg = readFileSync(join(ASSETS, 'coffee.jpg'));
    writeFileSync(truncated, jpeg.subarray(0, jpeg.length >> 1));
    await expectDymuError(preprocessImage(truncated, CLIP), truncated);
    await expectDymuError(preprocessImage(tmp, CLIP), tmp); // a directory
    await expectDymuError(preprocessImage(Buffer.from('not an image'), CLIP), '<buffer>');
  });

  it('rejects a bad spec, naming its source', async () => {
    const png = await solidPng(4, 4, [0, 0, 0]);
    const e = await expectDymuError(preprocessImage(png, { ...CLIP, resizeTo: { height: 4, width: 4 } }), 'test:clip');
    expect(e.field).toBe('resizeTo');
    expect((await expectDymuError(preprocessImage(png, { ...CLIP, resample: 7 }), 'test:clip')).field).toBe('resample');
    expect((await expectDymuError(preprocessImage(png, { ...CLIP, std: [1, 0, 1] }), 'test:clip')).field).toBe('std');
  });
});

describe('preprocessBatch', () => {
  it('stacks [B, 3, H, W] in input order', async () => {
    const inputs = [join(ASSETS, 'coffee.jpg'), await solidPng(50, 70, [9, 8, 7]), join(ASSETS, 'text.jpg')];
    const { pixels, images } = await preprocessBatch(inputs, CLIP);
    const per = 3 * 336 * 336;
    expect(pixels.length).toBe(3 * per);
    expect(images.map((i) => i.path)).toEqual([inputs[0], undefined, inputs[2]]);
    for (let i = 0; i < 3; i++) {
      const single = await preprocessImage(inputs[i], CLIP);
      expect(images[i].pixels.length).toBe(per);
      expect(images[i].pixels.every((v, j) => v === single.pixels[j])).toBe(true);
      expect(pixels.subarray(i * per, (i + 1) * per).every((v, j) => v === single.pixels[j])).toBe(true);
    }
    expect((await preprocessBatch([], CLIP)).pixels.length).toBe(0);
  });

  it('names the failing input and rejects mixed sizes', async () => {
    const bad = join(tmp, 'bad.png');
    writeFileSync(bad, 'nope');
    await expectDymuError(preprocessBatch([join(ASSETS, 'coffee.jpg'), bad], CLIP), bad);
    await expectDymuError(preprocessBatch([join(ASSETS, 'coffee.jpg'), Buffer.from('x')], CLIP), '<buffer #1>');
    const noCrop = { ...CLIP, centerCrop: undefined };
    await expectDymuError(preprocessBatch([join(ASSETS, 'astronaut.jpg'), join(ASSETS, 'coffee.jpg')], noCrop), join(ASSETS, 'coffee.jpg'));
  });
});

describe('against PIL / transformers (golden from tools/golden/preprocess_reference.py)', () => {
  it('resizes exactly like PIL.Image.resize for every filter, up and down', () => {
    for (const g of GOLDEN.resize) {
      const [w, h] = g.from;
      const data = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = (x * 37 + y * 91 + c * 53 + ((x * y) % 17) * 11) % 256;
      const out = resizePil({ data, width: w, height: h }, g.to[0], g.to[1], g.resample);
      expect(Buffer.from(out.data).toString('base64'), `${w}x${h} -> ${g.to.join('x')} resample ${g.resample}`).toBe(g.rgb_b64);
    }
  });

  // Our resampler, crop and float32 normalisation reproduce the reference bit for bit (measured
  // difference 0 on all 12 image/case pairs), so the only slack is for JPEG decoders: ±1 grey level
  // on a few pixels moves a channel mean/std by < 1e-4 and an 8x8 patch mean by < 1e-3. The
  // smallest wrong-rule signals measured on these photos are far above that: bilinear instead of
  // bicubic 2.3e-3 (stats) / 3.7e-3 (grid), a long side one pixel off 1.7e-4 / 3.4e-2, a crop one
  // pixel off 5e-4 / 0.11; swapped channels or a wrong mean/std give > 0.1.
  const TOL_PIL = { stats: 2e-4, grid: 1e-3 };
  for (const name of Object.keys(GOLDEN.images)) {
    it(`matches CLIP, LLaVA-pad CLIP and SigLIP preprocessing of ${name}`, async () => {
      const path = join(ASSETS, name);
      for (const [kase, spec, pad] of [['clip', CLIP, 'none'], ['clip-pad', CLIP, 'pad-to-square'], ['siglip', SIGLIP, 'none']] as const) {
        const ref = GOLDEN.images[name][kase];
        const r = await preprocessImage(path, spec, { pad });
        expect([3, r.height, r.width]).toEqual(ref.shape);
        const d = maxDiffs(summary(r.pixels, r.height, r.width), ref);
        expect(d.stats, `${name} ${kase} stats`).toBeLessThan(TOL_PIL.stats);
        expect(d.grid, `${name} ${kase} grid`).toBeLessThan(TOL_PIL.grid);
      }
    });
  }

  // libvips' Catmull-Rom (resizer 'sharp') is close to PIL when shrinking: measured 4.7e-4 (stats)
  // and 2.5e-3 (grid) at worst on these downscales. Upscaling differs much more (grid up to 8e-2),
  // so only downscales are held to a bound.
  it('the sharp resizer stays close to PIL when downscaling', async () => {
    for (const [name, kase, spec] of [['astronaut.jpg', 'clip', CLIP], ['astronaut.jpg', 'siglip', SIGLIP], ['coffee.jpg', 'clip', CLIP], ['coffee.jpg', 'clip-pad', CLIP]] as const) {
      const r = await preprocessImage(join(ASSETS, name), spec, { resizer: 'sharp', pad: kase === 'clip-pad' ? 'pad-to-square' : 'none' });
      const d = maxDiffs(summary(r.pixels, r.height, r.width), GOLDEN.images[name][kase]);
      expect(d.stats, `${name} ${kase}`).toBeLessThan(1e-3);
      expect(d.grid, `${name} ${kase}`).toBeLessThan(5e-3);
    }
  });
});
