/**
 * float32 <-> 16-bit floats (IEEE binary16 "F16" and bfloat16 "BF16"), both rounding to nearest
 * even. Works on whole arrays through integer views, without per-element allocation.
 */
export type HalfDType = 'F16' | 'BF16';

export function encodeHalf(src: Float32Array, dtype: HalfDType): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  const encode = dtype === 'F16' ? f16FromBits : bf16FromBits;
  for (let i = 0; i < bits.length; i++) out[i] = encode(bits[i]);
  return out;
}

export function decodeHalf(src: Uint16Array, dtype: HalfDType): Float32Array {
  if (dtype === 'F16') {
    const table = f16Table();
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
    return out;
  }
  const bits = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return new Float32Array(bits.buffer);
}

function f16FromBits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0); // Inf, or a quiet NaN
  const e = exp - 112; // exponent rebiased from 127 to 15
  if (e >= 0x1f) return sign | 0x7c00; // overflow: Inf
  if (e <= 0) return e < -10 ? sign : sign | roundShift(mant | 0x800000, 14 - e); // subnormal or zero
  return sign | roundShift((e << 23) | mant, 13); // a carry out of the mantissa bumps the exponent, up to Inf
}

/** m >> shift, rounded to nearest, ties to even. */
function roundShift(m: number, shift: number): number {
  const q = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rem > half || (rem === half && q & 1) ? q + 1 : q;
}

function bf16FromBits(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return (b >>> 16) | 0x40; // NaN stays NaN (quiet)
  return (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
}

let table: Float32Array | undefined;

function f16Table(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >>> 10) & 0x1f;
      const m = h & 0x3ff;
      table[h] = e === 0 ? sign * m * 2 ** -24 : e === 0x1f ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  return table;
}
