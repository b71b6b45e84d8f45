import { GraphBuilder, type Value } from '@dymu/onnx';

/**
 * Token merging in ONNX: the bipartite matching that the attention graph of every block adds to its
 * outputs, and the weightless merge graph shared by every block (symbolic batch, token and width axes):
 * - merge: (hidden [B, T, D], sizes [B, T], scatter_index [B, T, 2] = (b, destination),
 *   new_sizes [B, T'], size_offset [1]) → the size-weighted sum of the tokens sent to each destination
 *   divided by max(summed size + size_offset, 1) [B, T', D]: the exact mean with offset 0 (padding
 *   rows, size 0, stay 0), the official calibration's `sum / (size + 1e-4)` with offset 1e-4.
 */

/**
 * Bipartite matching on the head-averaged keys `metric` [B, T, m]: for each even-position token,
 * the most similar odd-position token (cosine; first index on ties) and that similarity, both
 * [B, ceil(T/2)]. Padded tokens (bias −∞) are never chosen; a −∞ column is appended so that a
 * sequence without odd positions (T = 1) still has something to take the maximum over.
 */
export function addMatching(g: GraphBuilder, metric: Value, bias: Value): { score: Value; index: Value } {
  const normed = g.op1('Div', [metric, g.op1('ReduceL2', [metric], { axes: [-1], keepdims: 1 })]);
  const parity = (x: Value, start: number) => g.op1('Slice', [x, g.constInt64([start]), g.constInt64([Number.MAX_SAFE_INTEGER]), g.constInt64([1]), g.constInt64([2])]);
  const scores = g.op1('MatMul', [parity(normed, 0), g.op1('Transpose', [parity(normed, 1)], { perm: [0, 2, 1] })]);
  const padded = g.op1('Unsqueeze', [g.op1('IsInf', [parity(bias, 1)], { detect_positive: 0 }), g.constInt64([1])]);
  const minusInf = g.constFloat([-Infinity], []);
  const masked = g.op1('Pad', [g.op1('Where', [padded, minusInf, scores]), g.constInt64([0, 0, 0, 0, 0, 1]), minusInf]);
  return { score: g.op1('ReduceMax', [masked], { axes: [2], keepdims: 0 }), index: g.op1('ArgMax', [masked], { axis: 2, keepdims: 0 }) };
}

export function mergeGraph(): Uint8Array {
  const g = new GraphBuilder('size_weighted_merge');
  const hidden = g.input('hidden', 'float32', ['batch', 'tokens', 'dim']);
  const sizes = g.input('sizes', 'float32', ['batch', 'tokens']);
  const index = g.input('scatter_index', 'int64', ['batch', 'tokens', 2]);
  const newSizes = g.input('new_sizes', 'float32', ['batch', 'new_tokens']);
  const offset = g.input('size_offset', 'float32', [1]);
  const axis2 = g.constInt64([2]);
  const weighted = g.op1('Mul', [hidden, g.op1('Unsqueeze', [sizes, axis2])]);
  const dim = g.op1('Slice', [g.op1('Shape', [hidden]), g.constInt64([2]), g.constInt64([3])]);
  const zeros = g.op1('ConstantOfShape', [g.op1('Concat', [g.op1('Shape', [newSizes]), dim], { axis: 0 })]);
  const summed = g.op1('ScatterND', [zeros, index, weighted], { reduction: 'add' });
  const divisor = g.op1('Max', [g.op1('Add', [newSizes, offset]), g.constFloat([1], [])]); // padding rows: 0 / 1
  g.output(g.op1('Div', [summed, g.op1('Unsqueeze', [divisor, axis2])]), 'merged', 'float32', ['batch', 'new_tokens', 'dim']);
  return g.toBytes();
}
