import { GraphBuilder } from '@dymu/onnx';

/**
 * Weightless graphs of token merging, shared by every block of an encoder (symbolic batch, token
 * and width axes):
 * - matching: (metric [B, T, m], attn_bias [B, T]) → for each even-position token, the most similar
 *   odd-position token by cosine similarity (score [B, ceil(T/2)], index [B, ceil(T/2)]); padded
 *   tokens (bias −∞) are never chosen;
 * - merge: (hidden [B, T, D], sizes [B, T], scatter_index [B, T, 2] = (b, destination),
 *   new_sizes [B, T']) → size-weighted mean of the tokens sent to each destination [B, T', D].
 */

export function matchingGraph(): Uint8Array {
  const g = new GraphBuilder('bipartite_matching');
  const metric = g.input('metric', 'float32', ['batch', 'tokens', 'metric_dim']);
  const bias = g.input('attn_bias', 'float32', ['batch', 'tokens']);
  const normed = g.op1('Div', [metric, g.op1('ReduceL2', [metric], { axes: [-1], keepdims: 1 })]);
  const parity = (x: typeof metric, start: number) => g.op1('Slice', [x, g.constInt64([start]), g.constInt64([Number.MAX_SAFE_INTEGER]), g.constInt64([1]), g.constInt64([2])]);
  const scores = g.op1('MatMul', [parity(normed, 0), g.op1('Transpose', [parity(normed, 1)], { perm: [0, 2, 1] })]);
  const padded = g.op1('Unsqueeze', [g.op1('IsInf', [parity(bias, 1)], { detect_positive: 0 }), g.constInt64([1])]);
  const masked = g.op1('Where', [padded, g.constFloat([-Infinity], []), scores]);
  g.output(g.op1('ReduceMax', [masked], { axes: [2], keepdims: 0 }), 'score', 'float32', ['batch', 'a_tokens']);
  g.output(g.op1('ArgMax', [masked], { axis: 2, keepdims: 0 }), 'index', 'int64', ['batch', 'a_tokens']);
  return g.toBytes();
}

export function mergeGraph(): Uint8Array {
  const g = new GraphBuilder('size_weighted_merge');
  const hidden = g.input('hidden', 'float32', ['batch', 'tokens', 'dim']);
  const sizes = g.input('sizes', 'float32', ['batch', 'tokens']);
  const index = g.input('scatter_index', 'int64', ['batch', 'tokens', 2]);
  const newSizes = g.input('new_sizes', 'float32', ['batch', 'new_tokens']);
  const axis2 = g.constInt64([2]);
  const weighted = g.op1('Mul', [hidden, g.op1('Unsqueeze', [sizes, axis2])]);
  const dim = g.op1('Slice', [g.op1('Shape', [hidden]), g.constInt64([2]), g.constInt64([3])]);
  const zeros = g.op1('ConstantOfShape', [g.op1('Concat', [g.op1('Shape', [newSizes]), dim], { axis: 0 })]);
  const summed = g.op1('ScatterND', [zeros, index, weighted], { reduction: 'add' });
  const divisor = g.op1('Max', [newSizes, g.constFloat([1], [])]); // padding rows: 0 / 1
  g.output(g.op1('Div', [summed, g.op1('Unsqueeze', [divisor, axis2])]), 'merged', 'float32', ['batch', 'new_tokens', 'dim']);
  return g.toBytes();
}
