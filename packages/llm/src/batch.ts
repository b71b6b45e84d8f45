import { MASKED } from '@dymu/onnx';
import { meanWeights, type UnmergeMap } from '@dymu/vtu';

/**
 * The index inputs of one decoder pass over a batch, left-padded: sequence b's U_b unique rows sit
 * at the end of its U slots and its N_b virtual rows at the end of its N slots, so that every
 * sequence's newest key is the last one in the cache. Padded virtual rows read row 0 with weight 0
 * and are masked as keys.
 */
export interface PackedBatch {
  batch: number;
  /** Unique rows per sequence after padding (U). */
  unique: number;
  /** Virtual rows per sequence after padding (N). */
  virtual: number;
  /** Where sequence b's unique rows start: U − U_b. */
  rowOffset: Int32Array;
  /** [B, N] unique row of each virtual row. */
  map: BigInt64Array;
  /** [B, N] RoPE position: start[b] + n for sequence b's n-th virtual row. */
  positions: BigInt64Array;
  /** [B, N] weights of the group mean (1 / group size), 0 on padding. */
  weights: Float32Array;
  /** [B, N] bias of the new keys: 0, or MASKED on padding. */
  keyBias: Float32Array;
  /** For each sequence, the unique row (0 … U − 1) holding its last virtual position: where the next token is read. */
  lastRow: Int32Array;
}

export function packBatch(maps: readonly UnmergeMap[], start: ArrayLike<number>): PackedBatch {
  const B = maps.length;
  const U = Math.max(...maps.map((m) => m.unique));
  const N = Math.max(...maps.map((m) => m.virtual));
  const packed: PackedBatch = {
    batch: B,
    unique: U,
    virtual: N,
    rowOffset: Int32Array.from(maps, (m) => U - m.unique),
    map: new BigInt64Array(B * N),
    positions: new BigInt64Array(B * N),
    weights: new Float32Array(B * N),
    keyBias: new Float32Array(B * N).fill(MASKED),
    lastRow: Int32Array.from(maps, (m) => U - m.unique + m.map[m.virtual - 1]),
  };
  maps.forEach((m, b) => {
    const at = b * N + N - m.virtual;
    const offset = U - m.unique;
    packed.map.set(Array.from(m.map, (u) => BigInt(offset + u)), at);
    packed.positions.set(Array.from(m.map, (_, n) => BigInt(start[b] + n)), at);
    packed.weights.set(meanWeights(m), at);
    packed.keyBias.fill(0, at, (b + 1) * N);
  });
  return packed;
}
