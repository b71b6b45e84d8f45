/** Block-wise symmetric quantisation of a float32 matrix [rows, cols] along cols, in MatMulNBits' layout (see `QuantizedWeight`). */
export interface QuantizedBlocks {
  /** [rows, ⌈cols/blockSize⌉, blockSize·bits/8] */
  data: Uint8Array;
  /** [rows·⌈cols/blockSize⌉] */
  scales: Float32Array;
}

/**
 * Each block of `blockSize` values along a row gets scale = max|w| / (2^(bits−1) − 1) and codes
 * round(w / scale) + 2^(bits−1), clamped to the code range; an all-zero block has scale 0 and
 * every code at the zero point. Values past `cols` (the last block's padding) are zero.
 */
export function quantizeBlockwise(w: Float32Array, rows: number, cols: number, bits: 4 | 8, blockSize: number): QuantizedBlocks {
  const blocks = Math.ceil(cols / blockSize);
  const blob = (blockSize * bits) / 8;
  const zero = 1 << (bits - 1);
  const qmax = zero - 1;
  const data = new Uint8Array(rows * blocks * blob);
  const scales = new Float32Array(rows * blocks);
  const codes = new Uint8Array(blockSize);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const start = r * cols + b * blockSize;
      const n = Math.min(blockSize, cols - b * blockSize);
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(w[start + i]));
      const scale = Math.fround(max / qmax);
      const inverse = scale === 0 ? 0 : 1 / scale;
      codes.fill(zero);
      for (let i = 0; i < n; i++) codes[i] = Math.min(2 * zero - 1, Math.max(0, Math.round(w[start + i] * inverse) + zero));
      const block = r * blocks + b;
      scales[block] = scale;
      const out = block * blob;
      if (bits === 8) data.set(codes, out);
      else for (let i = 0; i < blob; i++) data[out + i] = codes[2 * i] | (codes[2 * i + 1] << 4);
    }
  }
  return { data, scales };
}
