import { DymuError, type FileTensor, isFileTensor, numel, type QuantizedWeight } from '@dymu/core';
import type { AttrValue, GraphBuilder, Value } from './graph.ts';

// Transformer building blocks for ai.onnx opset 17 (ReduceMean takes its axes as an attribute,
// valid for opsets 13 to 17). Weights are in the Hugging Face layout; `name` prefixes the
// initializer names (`${name}.weight`, `${name}.bias`) and the node names (`${name}/MatMul`).

/** Adds single-output nodes named `${scope}/${opType}` (suffixed `_1`, `_2`, ... when repeated). */
function scoped(g: GraphBuilder, scope: string) {
  return (opType: string, inputs: Value[], attrs?: Record<string, AttrValue>): Value =>
    g.op1(opType, inputs, attrs, `${scope}/${opType}`);
}

/** The shape of a 1-d weight in memory, or a file tensor's own shape. */
function shapeOf(w: WeightSource): number[] {
  return isFileTensor(w) ? [...w.shape] : [w.length];
}

function scalar(g: GraphBuilder, v: number): Value {
  return g.constFloat([v], []);
}

/** A weight in memory, or in a file that onnxruntime reads itself. */
export type WeightSource = Float32Array | FileTensor;

export interface LinearWeights {
  /** [outFeatures, inFeatures], as Hugging Face stores it, or quantised (int8 per channel, int4 block-wise). */
  weight: WeightSource | QuantizedWeight;
  bias?: WeightSource;
  outFeatures: number;
  inFeatures: number;
}

/**
 * MatMulNBits' accuracy level 4: activations are quantised to int8 per block and the products
 * summed in integers (level 0, float products, is several times slower; bench/llm).
 */
const INT8_COMPUTE = 4;

/**
 * y = x Wᵀ + b on the last axis. A float W is stored as given ([out, in]) and read transposed by
 * onnxruntime's FusedMatMul (transB), which packs it for the GEMM straight from the initializer:
 * a `MatMul(x, Transpose(W))` gives the same bits but makes onnxruntime constant-fold a transposed
 * copy of every weight while creating the session (most of a ViT-L's load time; bench/encoder).
 * A quantised W runs as DynamicQuantizeMatMul (int8: the activations quantised per tensor, the
 * fastest int8 kernel here; bench/llm) or MatMulNBits (int4).
 */
export function linear(g: GraphBuilder, x: Value, w: LinearWeights, name: string): Value {
  const { weight, outFeatures: N, inFeatures: K } = w;
  const microsoft = (op: string, inputs: Value[], attrs: Record<string, AttrValue> = {}) => g.op(op, inputs, attrs, { name: `${name}/${op}`, domain: 'com.microsoft' })[0];
  let y: Value;
  if (!isQuantized(weight)) {
    y = microsoft('FusedMatMul', [x, g.initializer(`${name}.weight`, weight, [N, K])], { transB: 1 });
  } else if (weight.format === 'int8') {
    y = microsoft('DynamicQuantizeMatMul', [x, g.initializer(`${name}.weight`, weight.data, [K, N]), g.initializer(`${name}.scales`, weight.scales, [N])]);
  } else {
    const blocks = Math.ceil(K / weight.blockSize);
    const codes = g.initializer(`${name}.weight`, weight.data, [N, blocks, weight.blockSize / 2]);
    const scales = g.initializer(`${name}.scales`, weight.scales, [N * blocks]);
    y = microsoft('MatMulNBits', [x, codes, scales], { K, N, bits: 4, block_size: weight.blockSize, accuracy_level: INT8_COMPUTE });
  }
  return w.bias ? g.op1('Add', [y, g.initializer(`${name}.bias`, w.bias, [N])], undefined, `${name}/Add`) : y;
}

function isQuantized(w: WeightSource | QuantizedWeight): w is QuantizedWeight {
  return 'format' in w;
}

/** LayerNormalization over the last axis. */
export function layerNorm(g: GraphBuilder, x: Value, w: { weight: WeightSource; bias: WeightSource }, eps: number, name: string): Value {
  const n = numel(shapeOf(w.weight));
  const scale = g.initializer(`${name}.weight`, w.weight, [n]);
  const bias = g.initializer(`${name}.bias`, w.bias, [n]);
  return g.op1('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: eps } }, name);
}

/** x / sqrt(mean(x², last axis) + eps) · w, in the node pattern onnxruntime fuses into one kernel. */
export function rmsNorm(g: GraphBuilder, x: Value, weight: WeightSource, eps: number, name: string): Value {
  const op = scoped(g, name);
  const meanSquare = op('ReduceMean', [op('Pow', [x, scalar(g, 2)])], { axes: [-1], keepdims: 1 });
  const rms = op('Sqrt', [op('Add', [meanSquare, scalar(g, eps)])]);
  return op('Mul', [op('Div', [x, rms]), g.initializer(`${name}.weight`, weight, shapeOf(weight))]);
}

export type ActivationKind = 'quick_gelu' | 'gelu' | 'gelu_pytorch_tanh' | 'gelu_new' | 'silu';

/** Hugging Face `hidden_act` functions; nodes are named after the input value. */
export function activation(g: GraphBuilder, x: Value, kind: ActivationKind): Value {
  const op = scoped(g, `${x.name}/${kind}`);
  const c = (v: number) => scalar(g, v);
  switch (kind) {
    case 'silu':
      return op('Mul', [x, op('Sigmoid', [x])]);
    case 'quick_gelu':
      return op('Mul', [x, op('Sigmoid', [op('Mul', [x, c(1.702)])])]);
    case 'gelu': // 0.5·x·(1 + erf(x/√2)), fused into Gelu by onnxruntime (as quick_gelu into QuickGelu)
      return op('Mul', [op('Mul', [x, op('Add', [op('Erf', [op('Div', [x, c(Math.SQRT2)])]), c(1)])]), c(0.5)]);
    case 'gelu_pytorch_tanh':
    case 'gelu_new': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in the node pattern onnxruntime fuses into FastGelu
      const cube = op('Pow', [x, c(3)]);
      const inner = op('Mul', [op('Add', [x, op('Mul', [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
      return op('Mul', [op('Mul', [x, c(0.5)]), op('Add', [op('Tanh', [inner]), c(1)])]);
    }
    default:
      throw new DymuError(`unknown activation "${kind as string}"`, { field: 'hidden_act' });
  }
}

/** [B, T, H·dh] → [B, T, H, dh] (Reshape with 0 = keep that dim, so B and T stay symbolic). */
function toHeads(g: GraphBuilder, x: Value, numHeads: number, headDim: number, name: string): Value {
  return g.op1('Reshape', [x, g.constInt64([0, 0, numHeads, headDim])], {}, `${name}/Reshape`);
}

/** [B, T, H·dh] → [B, H, T, dh]. */
export function splitHeads(g: GraphBuilder, x: Value, numHeads: number, headDim: number, name: string): Value {
  return g.op1('Transpose', [toHeads(g, x, numHeads, headDim, name)], { perm: [0, 2, 1, 3] }, `${name}/Transpose`);
}

/** [B, H, T, dh] → [B, T, H·dh]. */
export function mergeHeads(g: GraphBuilder, x: Value, numHeads: number, headDim: number, name: string): Value {
  const op = scoped(g, name);
  return op('Reshape', [op('Transpose', [x], { perm: [0, 2, 1, 3] }), g.constInt64([0, 0, numHeads * headDim])]);
}

/** [B, T, H·dh] → [B, T, dh]: the mean over heads (e.g. of the attention keys). */
export function meanOverHeads(g: GraphBuilder, x: Value, numHeads: number, headDim: number, name: string): Value {
  return g.op1('ReduceMean', [toHeads(g, x, numHeads, headDim, name)], { axes: [2], keepdims: 0 }, `${name}/ReduceMean`);
}

/**
 * softmax(q kᵀ / √dh + bias) v per head. q, k, v: [B, T, H·dh]; `bias` is additive and
 * broadcasts to [B, H, T, T] (e.g. [B, 1, 1, T] or [B, 1, T, T]; -Infinity masks a key).
 * Returns [B, T, H·dh].
 */
export function multiHeadAttention(
  g: GraphBuilder,
  q: Value,
  k: Value,
  v: Value,
  bias: Value | null,
  numHeads: number,
  headDim: number,
  name: string,
): Value {
  const op = scoped(g, name);
  const qh = splitHeads(g, op('Mul', [q, scalar(g, 1 / Math.sqrt(headDim))]), numHeads, headDim, `${name}/q`);
  const kt = op('Transpose', [toHeads(g, k, numHeads, headDim, `${name}/k`)], { perm: [0, 2, 3, 1] });
  const vh = splitHeads(g, v, numHeads, headDim, `${name}/v`);
  const logits = op('MatMul', [qh, kt]);
  const probs = op('Softmax', [bias ? op('Add', [logits, bias]) : logits], { axis: -1 });
  return mergeHeads(g, op('MatMul', [probs, vh]), numHeads, headDim, name);
}
