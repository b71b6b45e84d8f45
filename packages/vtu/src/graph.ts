import { applyRotary, causalAttention, type GraphBuilder, rotaryCosSin, type Value } from '@dymu/onnx';

/** The graph values unmergedAttention reads. B = batch, U = unique rows, N = virtual rows, P = cached keys. */
export interface UnmergedAttentionInputs {
  /** [B, U, H·dh], projections of the unique rows (no RoPE yet). */
  q: Value;
  /** [B, U, Hkv·dh] */
  k: Value;
  /** [B, U, Hkv·dh] */
  v: Value;
  /** int64 [B, N]: the unique row (0 … U − 1) of each virtual row. */
  map: Value;
  /** int64 [B, N]: the RoPE position of each virtual row. */
  positions: Value;
  /** float [B, N]: 1 / group size of each virtual row, 0 on padding (the group mean's weights). */
  weights: Value;
  /** float [B, P + N]: additive bias per key, 0 or MASKED (left padding). */
  keyBias: Value;
  /** [B, Hkv, P, dh], RoPE applied. */
  pastKey: Value;
  pastValue: Value;
}

export interface AttentionShape {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  ropeTheta: number;
  /** Query blocks of the causal attention (default 4): more skip more of the masked triangle, each costs a few small nodes. */
  queryChunks?: number;
}

/**
 * VTU attention, form (a) of DYMU.md section 6: gather the unique q, k, v rows to the N virtual
 * rows by `map`, rotate at the virtual positions, append k, v to the cache, causal attention over
 * all P + N keys (in query chunks), then the weighted scatter-add of the N output rows back to their U unique rows
 * (the group mean). No N × U matrix is built: the expansion is a Gather by index, the reduction
 * a ScatterND with reduction 'add'. With the identity map and weights 1 it is ordinary causal attention.
 * Returns out [B, U, H·dh] and the cache [B, Hkv, P + N, dh] with the N virtual keys and values.
 */
export function unmergedAttention(g: GraphBuilder, x: UnmergedAttentionInputs, s: AttentionShape, name: string): { out: Value; presentKey: Value; presentValue: Value } {
  const op = (type: string, inputs: Value[], attrs = {}) => g.op1(type, inputs, attrs, `${name}/${type}`);
  const dim = (v: Value, axis: number) => op('Gather', [op('Shape', [v]), g.constInt64([axis], [])]);
  const { numHeads: H, numKvHeads: Hkv, headDim: dh } = s;

  // Rows of the batch flattened: virtual row (b, n) reads unique row b·U + map[b, n].
  const offsets = op('Mul', [op('Range', [g.constInt64([0], []), dim(x.q, 0), g.constInt64([1], [])]), dim(x.q, 1)]);
  const flat = op('Add', [x.map, op('Unsqueeze', [offsets, g.constInt64([1])])]); // [B, N]
  const rows = (t: Value, heads: number) => op('Reshape', [t, g.constInt64([-1, heads * dh])]); // [B·U, heads·dh]
  const expand = (t: Value, heads: number) => op('Reshape', [op('Gather', [rows(t, heads), flat], { axis: 0 }), g.constInt64([0, 0, heads, dh])]); // [B, N, heads, dh]

  const { cos, sin } = rotaryCosSin(g, x.positions, dh, s.ropeTheta, `${name}/rope`);
  const axis2 = g.constInt64([2]);
  const [c, sn] = [op('Unsqueeze', [cos, axis2]), op('Unsqueeze', [sin, axis2])]; // [B, N, 1, dh]
  const q = applyRotary(g, expand(x.q, H), c, sn, `${name}/rotate_q`);
  const k = applyRotary(g, expand(x.k, Hkv), c, sn, `${name}/rotate_k`);
  const toCache = (t: Value) => op('Transpose', [t], { perm: [0, 2, 1, 3] }); // [B, Hkv, N, dh]
  const presentKey = op('Concat', [x.pastKey, toCache(k)], { axis: 2 });
  const presentValue = op('Concat', [x.pastValue, toCache(expand(x.v, Hkv))], { axis: 2 });

  const attended = causalAttention(g, q, presentKey, presentValue, x.keyBias, { numHeads: H, numKvHeads: Hkv, headDim: dh, chunks: s.queryChunks ?? 4 }, `${name}/attention`);

  // Group mean: out[b·U + map] += weight · row, as a ScatterND over the flattened unique rows.
  const width = H * dh;
  const updates = op('Reshape', [op('Mul', [attended, op('Unsqueeze', [x.weights, g.constInt64([-1])])]), g.constInt64([-1, width])]);
  const zeros = op('ConstantOfShape', [op('Shape', [rows(x.q, H)])]);
  const summed = op('ScatterND', [zeros, op('Reshape', [flat, g.constInt64([-1, 1])]), updates], { reduction: 'add' });
  return { out: op('Reshape', [summed, op('Shape', [x.q])]), presentKey, presentValue };
}
