import type { GraphBuilder, Value } from './graph.ts';

// Building blocks of RoPE decoders (LLaMA, Qwen2), ai.onnx opset 17, in the Hugging Face
// conventions: rotate-half RoPE (pair j = components j and j + dh/2) and grouped KV heads.

/** What a masked logit gets: finite, so a fully masked row (padding) gives a uniform softmax, not NaN. */
export const MASKED = -1e30;

/**
 * cos and sin of the RoPE angles of `positions` (int64, any leading shape [..., T]): angle
 * (p, i) = p · θ^(−2(i mod dh/2)/dh), the dh/2 frequencies written twice as Hugging Face does.
 * Returns [..., T, dh]. The angle is computed in float32, as transformers does.
 */
export function rotaryCosSin(g: GraphBuilder, positions: Value, headDim: number, theta: number, name: string): { cos: Value; sin: Value } {
  const half = headDim / 2;
  const invFreq = Array.from({ length: headDim }, (_, i) => 1 / theta ** ((2 * (i % half)) / headDim));
  const p = g.op1('Cast', [positions], { to: 1 }, `${name}/Cast`);
  const angles = g.op1('Mul', [g.op1('Unsqueeze', [p, g.constInt64([-1])], {}, `${name}/Unsqueeze`), g.constFloat(invFreq)], {}, `${name}/Mul`);
  return { cos: g.op1('Cos', [angles], {}, `${name}/Cos`), sin: g.op1('Sin', [angles], {}, `${name}/Sin`) };
}

/** x·cos + rotate_half(x)·sin on the last axis, rotate_half(x) = [−x₂, x₁]; cos and sin broadcast to x. */
export function applyRotary(g: GraphBuilder, x: Value, cos: Value, sin: Value, name: string): Value {
  const op = (type: string, inputs: Value[], attrs = {}) => g.op1(type, inputs, attrs, `${name}/${type}`);
  const [x1, x2] = g.op('Split', [x], { axis: -1 }, { outputs: 2, name: `${name}/Split` }); // equal halves
  const rotated = op('Concat', [op('Neg', [x2]), x1], { axis: -1 });
  return op('Add', [op('Mul', [x, cos]), op('Mul', [rotated, sin])]);
}

/**
 * The causal bias of T new queries against S = P + T keys when the first P keys are cached:
 * query i sits at key index P + i and sees keys j ≤ P + i. Returns [T, S] of 0 / MASKED.
 * `queries` and `keys` are int64 scalars (e.g. a dim read with Shape + Gather).
 */
export function causalBias(g: GraphBuilder, queries: Value, keys: Value, name: string): Value {
  const op = (type: string, inputs: Value[], attrs = {}) => g.op1(type, inputs, attrs, `${name}/${type}`);
  const one = g.constInt64([1], []);
  const keyIndex = op('Range', [g.constInt64([0], []), keys, one]);
  const queryIndex = op('Range', [op('Sub', [keys, queries]), keys, one]);
  const visible = op('LessOrEqual', [op('Unsqueeze', [keyIndex, g.constInt64([0])]), op('Unsqueeze', [queryIndex, g.constInt64([1])])]);
  return op('Where', [visible, g.constFloat([0], []), g.constFloat([MASKED], [])]);
}

/**
 * softmax(q kᵀ / √dh + bias) v with grouped KV heads: query head h reads KV head
 * ⌊h / (H / Hkv)⌋ (Hugging Face's repeat_kv order). q: [B, T, H, dh] (RoPE applied);
 * k, v: [B, Hkv, S, dh]; bias broadcasts to [B, 1, 1, T, S]. Returns [B, T, H·dh].
 * KV heads are never copied per query head: q is viewed as [B, Hkv, H/Hkv, T, dh] and the MatMuls
 * broadcast; the scores use onnxruntime's FusedMatMul (com.microsoft), which reads k transposed.
 */
export function groupedQueryAttention(
  g: GraphBuilder,
  q: Value,
  k: Value,
  v: Value,
  bias: Value,
  numHeads: number,
  numKvHeads: number,
  headDim: number,
  name: string,
): Value {
  const op = (type: string, inputs: Value[], attrs = {}) => g.op1(type, inputs, attrs, `${name}/${type}`);
  const group = numHeads / numKvHeads;
  const q5 = op('Transpose', [op('Reshape', [q, g.constInt64([0, 0, numKvHeads, group, headDim])])], { perm: [0, 2, 3, 1, 4] });
  const axis2 = g.constInt64([2]);
  // q kᵀ / √dh without materialising kᵀ: onnxruntime's FusedMatMul reads k transposed and applies the scale.
  const scores = g.op('FusedMatMul', [q5, op('Unsqueeze', [k, axis2])], { transB: 1, alpha: { float: 1 / Math.sqrt(headDim) } }, { domain: 'com.microsoft', name: `${name}/FusedMatMul` })[0];
  const probs = op('Softmax', [op('Add', [scores, bias])], { axis: -1 });
  const out = op('MatMul', [probs, op('Unsqueeze', [v, axis2])]); // [B, Hkv, group, T, dh]
  return op('Reshape', [op('Transpose', [out], { perm: [0, 3, 1, 2, 4] }), g.constInt64([0, 0, numHeads * headDim])]);
}

/**
 * Causal attention of T new queries over S = P + T keys, the last T keys being the queries' own
 * (a KV cache of P before them); `keyBias` [B, S] adds 0 or MASKED per key. The queries run in
 * `chunks` blocks, each against the keys up to its own last query only, so most of the masked
 * upper triangle is never computed: for P = 0 the score work is (chunks + 1) / (2·chunks) of the
 * dense product. q: [B, T, H, dh] (RoPE applied); k, v: [B, Hkv, S, dh]. Returns [B, T, H·dh].
 */
export function causalAttention(
  g: GraphBuilder,
  q: Value,
  k: Value,
  v: Value,
  keyBias: Value,
  shape: { numHeads: number; numKvHeads: number; headDim: number; chunks: number },
  name: string,
): Value {
  const op = (type: string, inputs: Value[], attrs = {}) => g.op1(type, inputs, attrs, `${name}/${type}`);
  const int = (v: number) => g.constInt64([v], []);
  const dim = (x: Value, axis: number) => op('Gather', [op('Shape', [x]), int(axis)]);
  const slice = (x: Value, start: Value, end: Value, axis: number) =>
    op('Slice', [x, op('Unsqueeze', [start, g.constInt64([0])]), op('Unsqueeze', [end, g.constInt64([0])]), g.constInt64([axis])]);
  const T = dim(q, 1);
  const P = op('Sub', [dim(k, 2), T]);
  const step = op('Div', [op('Add', [T, int(shape.chunks - 1)]), int(shape.chunks)]); // ⌈T / chunks⌉
  const outputs = Array.from({ length: shape.chunks }, (_, c) => {
    const start = op('Min', [op('Mul', [step, int(c)]), T]);
    const end = op('Min', [op('Mul', [step, int(c + 1)]), T]);
    // an empty chunk (T < chunks, as in decoding) reads no keys rather than copying the whole cache
    const keys = op('Where', [op('Greater', [end, start]), op('Add', [P, end]), int(0)]);
    const bias = op('Add', [
      causalBias(g, op('Sub', [end, start]), keys, `${name}/causal`),
      op('Unsqueeze', [slice(keyBias, int(0), keys, 1), g.constInt64([1, 2, 3])]),
    ]);
    const [kc, vc] = [slice(k, int(0), keys, 2), slice(v, int(0), keys, 2)];
    return groupedQueryAttention(g, slice(q, start, end, 1), kc, vc, bias, shape.numHeads, shape.numKvHeads, shape.headDim, `${name}/chunk${c}`);
  });
  return outputs.length === 1 ? outputs[0] : op('Concat', outputs, { axis: 1 });
}
