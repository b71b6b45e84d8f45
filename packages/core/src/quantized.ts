import type { FileTensor } from './file-tensor.ts';

/** The weight formats of an LLM's linear layers: float32 (the reference), or weight-only int8 / int4. */
export const WEIGHT_FORMATS = ['float32', 'int8', 'int4'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/**
 * A linear layer's weight W [N, K] (out, in) quantised symmetrically, in the layout of the
 * onnxruntime kernel that runs it:
 * - `int8`: per output channel, for DynamicQuantizeMatMul: `data` int8 [K, N] (transposed),
 *   `scales` [N] float32; W[n, k] ≈ data[k, n]·scales[n];
 * - `int4`: block-wise along K, for MatMulNBits: `data` [N, ⌈K/blockSize⌉, blockSize/2] unsigned
 *   codes, two per byte (the lower nibble first), zero point 8, `scales` [N·⌈K/blockSize⌉]; W ≈ (code − 8)·scale.
 */
export type QuantizedWeight =
  | { readonly format: 'int8'; readonly data: FileTensor; readonly scales: FileTensor }
  | { readonly format: 'int4'; readonly blockSize: number; readonly data: FileTensor; readonly scales: FileTensor };
