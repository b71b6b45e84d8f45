import { DymuError } from '@dymu/core';
import type { RgbImage } from './preprocess.ts';

// Pillow's resampling, ported bit-exactly (libImaging/Resample.c, Geometry.c ImagingScaleAffine).

const PRECISION_BITS = 32 - 8 - 2;

const PIL_FILTERS: Record<number, { support: number; f: (x: number) => number; name: string }> = {
  1: { name: 'lanczos', support: 3, f: (x) => (-3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
  2: { name: 'bilinear', support: 1, f: (x) => { x = Math.abs(x); return x < 1 ? 1 - x : 0; } },
  3: {
    name: 'bicubic',
    support: 2,
    f: (x) => {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  4: { name: 'box', support: 0.5, f: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  5: {
    name: 'hamming',
    support: 1,
    f: (x) => {
      if (x < 0) x = -x;
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x *= Math.PI;
      return (Math.sin(x) / x) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(x));
    },
  },
};

function sinc(x: number): number {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
}

/** Per output pixel: first input index, tap count, and fixed-point weights (`ksize` slots each). */
function pilCoeffs(inSize: number, outSize: number, filter: { support: number; f: (x: number) => number }) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter.f((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { bounds, kk, ksize };
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * `PIL.Image.resize((outW, outH), resample)` of an RGB image, bit-exact: `resample` is PIL's enum
 * (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming).
 */
export function resizePil(img: RgbImage, outW: number, outH: number, resample: number): RgbImage {
  const { width: inW, height: inH, data } = img;
  if (outW === inW && outH === inH) return img;
  if (resample === 0) return nearestPil(img, outW, outH);
  const filter = PIL_FILTERS[resample];
  if (filter === undefined) throw new DymuError(`unsupported PIL resample filter ${resample}`, { field: 'resample' });
  let src = data, srcW = inW;
  if (outW !== inW) {
    // Horizontal pass (PIL only computes the rows the vertical pass reads; the result is the same).
    const { bounds, kk, ksize } = pilCoeffs(inW, outW, filter);
    const tmp = new Uint8Array(outW * inH * 3);
    for (let y = 0; y < inH; y++) {
      const row = y * inW * 3;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1], k0 = xx * ksize;
        let s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
        for (let x = 0; x < xmax; x++) {
          const k = kk[k0 + x], p = row + (x + xmin) * 3;
          s0 += data[p] * k;
          s1 += data[p + 1] * k;
          s2 += data[p + 2] * k;
        }
        const o = (y * outW + xx) * 3;
        tmp[o] = clip8(s0);
        tmp[o + 1] = clip8(s1);
        tmp[o + 2] = clip8(s2);
      }
    }
    src = tmp;
    srcW = outW;
  }
  if (outH === inH) return { data: src, width: outW, height: outH };
  const { bounds, kk, ksize } = pilCoeffs(inH, outH, filter);
  const out = new Uint8Array(outW * outH * 3);
  const stride = srcW * 3;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[2 * yy], ymax = bounds[2 * yy + 1], k0 = yy * ksize;
    for (let xx = 0; xx < outW; xx++) {
      let s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
      for (let y = 0; y < ymax; y++) {
        const k = kk[k0 + y], p = (y + ymin) * stride + xx * 3;
        s0 += src[p] * k;
        s1 += src[p + 1] * k;
        s2 += src[p + 2] * k;
      }
      const o = (yy * outW + xx) * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return { data: out, width: outW, height: outH };
}

/** PIL's NEAREST resize (ImagingScaleAffine: source = int(x0 + (i + 0.5) * step), accumulated). */
function nearestPil(img: RgbImage, outW: number, outH: number): RgbImage {
  const table = (inSize: number, outSize: number): Int32Array => {
    const t = new Int32Array(outSize);
    const step = inSize / outSize;
    let pos = step * 0.5;
    for (let i = 0; i < outSize; i++, pos += step) t[i] = Math.min(inSize - 1, pos < 0 ? 0 : Math.trunc(pos));
    return t;
  };
  const xs = table(img.width, outW), ys = table(img.height, outH);
  const out = new Uint8Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const s = (ys[y] * img.width + xs[x]) * 3, o = (y * outW + x) * 3;
      out[o] = img.data[s];
      out[o + 1] = img.data[s + 1];
      out[o + 2] = img.data[s + 2];
    }
  }
  return { data: out, width: outW, height: outH };
}

/** Whether `resample` is one of PIL's filters (0 nearest … 5 hamming). */
export function isPilFilter(resample: number): boolean {
  return resample === 0 || resample in PIL_FILTERS;
}
