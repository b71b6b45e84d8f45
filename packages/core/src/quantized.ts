import type { FileTensor } from './file-tensor.ts';

/** The weight formats of an LLM's linear layers: float32 (the reference), or weight-only int8 / int4. */
export const WEIGHT_FORMATS = ['float32', 'int8', 'int4'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/**
 * A linear layer's weight [N, K] quantised block-wise along K, symmetric, in the layout of
 * onnxruntime's MatMulNBits: `data` [N, ⌈K/blockSize⌉, blockSize·bits/8] unsigned codes
 * (4-bit: two per byte, the lower nibble first), zero point 2^(bits−1), `scales` [N·⌈K/blockSize⌉]
 * float32; w ≈ (code − 2^(bits−1))·scale.
 */
export interface QuantizedWeight {
  readonly bits: 4 | 8;
  readonly blockSize: number;
  readonly data: FileTensor;
  readonly scales: FileTensor;
}
