import { activation, GraphBuilder, linear, type LinearWeights, type OnnxModel, rmsNorm, type Value, type WeightSource } from '@dymu/onnx';
import type { Linear, LlmConfig, LlmLayerWeights, Weight } from '@dymu/weights';
import { unmergedAttention } from '@dymu/vtu';

/**
 * The ONNX graphs of a RoPE decoder, one job each, with symbolic batch and sequence axes:
 * - embeddings: input_ids [B, T] → [B, T, D];
 * - one graph per decoder layer (below);
 * - head: final RMSNorm and lm_head, hidden [B, T, D] → logits [B, T, V];
 * - projector (LLaVA): image features [B, T, mm_hidden] → [B, T, D].
 */

/** The linear layers of a decoder layer. */
export const LAYER_LINEARS = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
type LinearName = (typeof LAYER_LINEARS)[number];

/** A layer as its graph takes it: norms in memory or in files, linear weights also quantised. */
export type DecoderLayer = Omit<LlmLayerWeights<Weight>, LinearName> & Record<LinearName, LinearWeights>;

const B = 'batch';
const T = 'tokens';

export function embeddingGraph(config: LlmConfig, embedTokens: WeightSource): OnnxModel {
  const { vocabSize: V, hiddenSize: D } = config;
  const g = new GraphBuilder('llm_embeddings');
  const ids = g.input('input_ids', 'int64', [B, T]);
  g.output(g.op1('Gather', [g.initializer('embed_tokens', embedTokens, [V, D]), ids], { axis: 0 }), 'hidden', 'float32', [B, T, D]);
  return g.toModel();
}

/**
 * A pre-norm decoder layer on the U unique rows: h = x + o_proj(Attn(RMSNorm(x))), then
 * h + down(silu(gate(RMSNorm(h))) · up(RMSNorm(h))). Attention is VTU's (@dymu/vtu): the rows
 * are expanded to the N virtual rows by `map`, rotated at `positions`, attend causally to the
 * cached keys and each other, and are averaged back per group with `group_weight`. Plain decoding is
 * the identity map with weights 1. Inputs: hidden [B, U, D], map / positions int64 [B, N],
 * group_weight [B, N], key_bias [B, P + N], past_key / past_value [B, Hkv, P, dh]. Outputs:
 * hidden_out [B, U, D], present_key / present_value [B, Hkv, P + N, dh], and with
 * `attentionOutput` also `attention` [B, U, D] (the o_proj output, before the residual).
 */
export function decoderLayerGraph(config: LlmConfig, w: DecoderLayer, layer: number, opts: { attentionOutput?: boolean } = {}): OnnxModel {
  const { hiddenSize: D, numHeads: H, numKvHeads: Hkv, headDim: dh, rmsNormEps: eps } = config;
  const g = new GraphBuilder(`llm_layer${layer}`);
  const x = g.input('hidden', 'float32', [B, 'unique', D]);
  const virtual = (name: string) => g.input(name, 'int64', [B, 'virtual']);
  const map = virtual('map');
  const positions = virtual('positions');
  const weights = g.input('group_weight', 'float32', [B, 'virtual']);
  const keyBias = g.input('key_bias', 'float32', [B, 'keys']);
  const pastKey = g.input('past_key', 'float32', [B, Hkv, 'past', dh]);
  const pastValue = g.input('past_value', 'float32', [B, Hkv, 'past', dh]);

  const normed = rmsNorm(g, x, w.inputNorm, eps, 'input_layernorm');
  const attention = unmergedAttention(g, {
    q: linear(g, normed, w.q, 'q_proj'),
    k: linear(g, normed, w.k, 'k_proj'),
    v: linear(g, normed, w.v, 'v_proj'),
    map, positions, weights, keyBias, pastKey, pastValue,
  }, { numHeads: H, numKvHeads: Hkv, headDim: dh, ropeTheta: config.ropeTheta }, 'self_attn');
  const attended = linear(g, attention.out, w.o, 'o_proj');
  const h = g.op1('Add', [x, attended]);
  const post = rmsNorm(g, h, w.postNorm, eps, 'post_attention_layernorm');
  const gated = g.op1('Mul', [activation(g, linear(g, post, w.gate, 'gate_proj'), 'silu'), linear(g, post, w.up, 'up_proj')]);
  g.output(g.op1('Add', [h, linear(g, gated, w.down, 'down_proj')]), 'hidden_out', 'float32', [B, 'unique', D]);
  g.output(attention.presentKey, 'present_key', 'float32', [B, Hkv, 'keys', dh]);
  g.output(attention.presentValue, 'present_value', 'float32', [B, Hkv, 'keys', dh]);
  if (opts.attentionOutput) g.output(attended, 'attention', 'float32', [B, 'unique', D]);
  return g.toModel();
}

export function headGraph(config: LlmConfig, norm: WeightSource, lmHead: LinearWeights['weight']): OnnxModel {
  const { vocabSize: V, hiddenSize: D } = config;
  const g = new GraphBuilder('llm_head');
  const x = g.input('hidden', 'float32', [B, T, D]);
  const logits = linear(g, rmsNorm(g, x, norm, config.rmsNormEps, 'norm'), { weight: lmHead, outFeatures: V, inFeatures: D }, 'lm_head');
  g.output(logits, 'logits', 'float32', [B, T, V]);
  return g.toModel();
}

/** LLaVA's projector: Linear, then (GELU, Linear) for each further layer (mlpNx_gelu), or one Linear. */
export function projectorGraph(layers: Linear<Weight>[]): OnnxModel {
  const g = new GraphBuilder('mm_projector');
  let x: Value = g.input('features', 'float32', [B, T, layers[0].inFeatures]);
  layers.forEach((w, i) => {
    x = linear(g, i === 0 ? x : activation(g, x, 'gelu'), w, `mm_projector.${2 * i}`);
  });
  g.output(x, 'hidden', 'float32', [B, T, layers[layers.length - 1].outFeatures]);
  return g.toModel();
}
