import { activation, GraphBuilder, layerNorm, linear, meanOverHeads, multiHeadAttention, type OnnxModel } from '@dymu/onnx';
import { addMatching } from './merge-graphs.ts';
import { numPatches, type Norm, type VitConfig, type VitEmbeddingWeights, type VitLayerWeights, type Weight } from '@dymu/weights';

/**
 * The ONNX graphs of a ViT, one job each, all with symbolic batch and token axes:
 * - embeddings: pixels [B, C, S, S] → tokens [B, T0, D] (patch conv, class token, positions, pre-LN);
 * - attention half of a block: (hidden [B, T, D], attn_bias [B, T]) → (hidden + Attn(LN1(hidden)),
 *   keys averaged over heads [B, T, D/H], and their bipartite matching); `attn_bias` is added to
 *   every logit of that key (log(size) for proportional attention, −∞ for padding);
 * - MLP half of a block: hidden → hidden + MLP(LN2(hidden));
 * - post-LN: hidden → LayerNorm(hidden).
 * A merge policy runs between the two halves of each block.
 */

const B = 'batch';
const T = 'tokens';

export function embeddingsGraph(config: VitConfig, w: VitEmbeddingWeights<Weight>): OnnxModel {
  const { hiddenSize: D, patchSize: P, imageSize: S, numChannels: C } = config;
  const patches = numPatches(config);
  const g = new GraphBuilder('vit_embeddings');
  const pixels = g.input('pixel_values', 'float32', [B, C, S, S]);
  const conv = g.op1(
    'Conv',
    [pixels, g.initializer('patch_embedding.weight', w.patchWeight, [D, C, P, P]), w.patchBias ? g.initializer('patch_embedding.bias', w.patchBias, [D]) : null],
    { kernel_shape: [P, P], strides: [P, P] },
  );
  const flat = g.op1('Reshape', [conv, g.constInt64([0, D, patches])]);
  let x = g.op1('Transpose', [flat], { perm: [0, 2, 1] });
  let positions = patches;
  if (w.classEmbedding) {
    const cls = g.initializer('class_embedding', w.classEmbedding, [1, 1, D]);
    const batchDim = g.op1('Slice', [g.op1('Shape', [x]), g.constInt64([0]), g.constInt64([1])]);
    const clsShape = g.op1('Concat', [batchDim, g.constInt64([1, D])], { axis: 0 });
    x = g.op1('Concat', [g.op1('Expand', [cls, clsShape]), x], { axis: 1 });
    positions += 1;
  }
  x = g.op1('Add', [x, g.initializer('position_embedding', w.positionEmbedding, [1, positions, D])]);
  if (w.preLayerNorm) x = layerNorm(g, x, w.preLayerNorm, config.layerNormEps, 'pre_layrnorm');
  g.output(x, 'hidden', 'float32', [B, positions, D]);
  return g.toModel();
}

export function attentionGraph(config: VitConfig, w: VitLayerWeights<Weight>, block: number): OnnxModel {
  const { hiddenSize: D, numHeads: H } = config;
  const dh = D / H;
  const g = new GraphBuilder(`vit_block${block}_attention`);
  const x = g.input('hidden', 'float32', [B, T, D]);
  const bias = g.input('attn_bias', 'float32', [B, T]);
  const normed = layerNorm(g, x, w.ln1, config.layerNormEps, 'layer_norm1');
  const q = linear(g, normed, w.q, 'q_proj');
  const k = linear(g, normed, w.k, 'k_proj');
  const v = linear(g, normed, w.v, 'v_proj');
  const keyBias = g.op1('Unsqueeze', [bias, g.constInt64([1, 2])]); // [B, 1, 1, T]
  const attended = multiHeadAttention(g, q, k, v, keyBias, H, dh, 'self_attn');
  const h = g.op1('Add', [x, linear(g, attended, w.o, 'out_proj')]);
  const metric = meanOverHeads(g, k, H, dh, 'metric');
  g.output(h, 'hidden_out', 'float32', [B, T, D]);
  g.output(metric, 'metric', 'float32', [B, T, dh]);
  const matching = addMatching(g, metric, bias);
  g.output(matching.score, 'match_score', 'float32', [B, 'a_tokens']);
  g.output(matching.index, 'match_index', 'int64', [B, 'a_tokens']);
  return g.toModel();
}

export function mlpGraph(config: VitConfig, w: VitLayerWeights<Weight>, block: number): OnnxModel {
  const D = config.hiddenSize;
  const g = new GraphBuilder(`vit_block${block}_mlp`);
  const x = g.input('hidden', 'float32', [B, T, D]);
  const normed = layerNorm(g, x, w.ln2, config.layerNormEps, 'layer_norm2');
  const inner = activation(g, linear(g, normed, w.fc1, 'fc1'), config.hiddenAct);
  g.output(g.op1('Add', [x, linear(g, inner, w.fc2, 'fc2')]), 'hidden_out', 'float32', [B, T, D]);
  return g.toModel();
}

export function postLayerNormGraph(config: VitConfig, w: Norm<Weight>): OnnxModel {
  const D = config.hiddenSize;
  const g = new GraphBuilder('vit_post_layernorm');
  const x = g.input('hidden', 'float32', [B, T, D]);
  g.output(layerNorm(g, x, w, config.layerNormEps, 'post_layernorm'), 'hidden_out', 'float32', [B, T, D]);
  return g.toModel();
}
