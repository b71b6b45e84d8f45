/** A quantised matrix: codes and float32 scales, in the layout of `QuantizedWeight` (@dymu/core). */
export interface QuantizedCodes {
  data: Uint8Array | Int8Array;
  scales: Float32Array;
}

/**
 * int8 per output channel (row) of W [rows, cols]: scale = max|row| / 127, codes
 * round(w / scale) in [−127, 127], stored transposed, [cols, rows]; an all-zero row has scale 0.
 */
export function quantizePerChannel(w: Float32Array, rows: number, cols: number): QuantizedCodes & { data: Int8Array } {
  const data = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(w[r * cols + c]));
    const scale = Math.fround(max / 127);
    const inverse = scale === 0 ? 0 : 1 / scale;
    scales[r] = scale;
    for (let c = 0; c < cols; c++) data[c * rows + r] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c] * inverse)));
  }
  return { data, scales };
}

/**
 * int4 block-wise along the columns of W [rows, cols] (MatMulNBits): each block of `blockSize`
 * values gets scale = max|w| / 7 and codes round(w / scale) + 8 clamped to [0, 15], packed two
 * per byte, the lower nibble first; data [rows, ⌈cols/blockSize⌉, blockSize/2]. An all-zero block
 * has scale 0 and codes 8; the last block's padding past `cols` is code 8 (zero).
 */
export function quantizeInt4Blocks(w: Float32Array, rows: number, cols: number, blockSize: number): QuantizedCodes & { data: Uint8Array } {
  const blocks = Math.ceil(cols / blockSize);
  const blob = blockSize / 2;
  const data = new Uint8Array(rows * blocks * blob);
  const scales = new Float32Array(rows * blocks);
  const codes = new Uint8Array(blockSize);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const start = r * cols + b * blockSize;
      const n = Math.min(blockSize, cols - b * blockSize);
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(w[start + i]));
      const scale = Math.fround(max / 7);
      const inverse = scale === 0 ? 0 : 1 / scale;
      codes.fill(8);
      for (let i = 0; i < n; i++) codes[i] = Math.min(15, Math.max(0, Math.round(w[start + i] * inverse) + 8));
      const block = r * blocks + b;
      scales[block] = scale;
      for (let i = 0; i < blob; i++) data[block * blob + i] = codes[2 * i] | (codes[2 * i + 1] << 4);
    }
  }
  return { data, scales };
}
