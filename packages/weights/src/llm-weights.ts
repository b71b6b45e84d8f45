import { DymuError } from '@dymu/core';
import type { LlavaConfig, LlmConfig } from './llm-config.ts';
import { inMemory, type Linear, type TensorReader, type Weight } from './vit-weights.ts';
import type { WeightStore } from './weight-store.ts';

export interface LlmLayerWeights<W extends Weight = Float32Array> {
  /** input_layernorm (RMSNorm scale) */
  inputNorm: W;
  q: Linear<W>;
  k: Linear<W>;
  v: Linear<W>;
  o: Linear<W>;
  /** post_attention_layernorm */
  postNorm: W;
  gate: Linear<W>;
  up: Linear<W>;
  down: Linear<W>;
}

type Read<W> = (name: string, shape: number[]) => W;

/**
 * A LLaMA / Qwen2 decoder under its Hub tensor names (`model.embed_tokens.weight`,
 * `model.layers.N.self_attn.q_proj.weight`, …, `model.norm.weight`, `lm_head.weight`), loaded
 * part by part on demand. LLaVA checkpoints use the same names, plus `model.mm_projector.*`.
 */
export class LlmWeights<W extends Weight = Float32Array> {
  private readonly read: Read<W>;

  constructor(
    readonly store: WeightStore,
    readonly config: LlmConfig,
    reader: TensorReader<W> = inMemory as TensorReader<W>,
  ) {
    this.read = (name, shape) => reader(store, name, shape);
  }

  /** [vocab, hidden] */
  embedTokens(): W {
    return this.read('model.embed_tokens.weight', [this.config.vocabSize, this.config.hiddenSize]);
  }

  layer(i: number): LlmLayerWeights<W> {
    return layer(this.config, this.read, i);
  }

  /** model.norm (final RMSNorm scale) */
  norm(): W {
    return this.read('model.norm.weight', [this.config.hiddenSize]);
  }

  /** [vocab, hidden]: lm_head.weight, or the embeddings when tied. */
  lmHead(): W {
    return this.config.tieWordEmbeddings ? this.embedTokens() : this.read('lm_head.weight', [this.config.vocabSize, this.config.hiddenSize]);
  }

  /** Checks presence, dtype and shape of every tensor, reading headers only. */
  checkAll(): void {
    const check = checker(this.store);
    const { vocabSize: V, hiddenSize: D } = this.config;
    check('model.embed_tokens.weight', [V, D]);
    for (let i = 0; i < this.config.numLayers; i++) layer(this.config, check, i);
    check('model.norm.weight', [D]);
    if (!this.config.tieWordEmbeddings) check('lm_head.weight', [V, D]);
  }
}

/** The LLaVA projector's linear layers in order: `model.mm_projector.{0,2,4,…}` (mlpNx_gelu; llava-hf's linear_1, linear_2) or `model.mm_projector` (linear). */
export function projectorWeights(store: WeightStore, config: LlavaConfig): Linear[] {
  return projector(config, (name, shape) => store.get(name, shape));
}

export function checkProjectorWeights(store: WeightStore, config: LlavaConfig): void {
  projector(config, checker(store));
}

function projector<W extends Weight>(config: LlavaConfig, read: Read<W>): Linear<W>[] {
  const { type, depth, inFeatures, outFeatures, bias } = config.projector;
  const names = type === 'linear' ? ['model.mm_projector'] : Array.from({ length: depth }, (_, i) => `model.mm_projector.${2 * i}`);
  return names.map((name, i) => linear(read, name, outFeatures, i === 0 ? inFeatures : outFeatures, bias));
}

function layer<W extends Weight>(c: LlmConfig, read: Read<W>, i: number): LlmLayerWeights<W> {
  if (!Number.isInteger(i) || i < 0 || i >= c.numLayers) {
    throw new DymuError(`layer ${i} does not exist (the model has ${c.numLayers})`, { file: c.source, field: 'num_hidden_layers' });
  }
  const p = `model.layers.${i}.`;
  const { hiddenSize: D, intermediateSize: M } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  return {
    inputNorm: read(`${p}input_layernorm.weight`, [D]),
    q: linear(read, `${p}self_attn.q_proj`, qDim, D, c.qkvBias),
    k: linear(read, `${p}self_attn.k_proj`, kvDim, D, c.qkvBias),
    v: linear(read, `${p}self_attn.v_proj`, kvDim, D, c.qkvBias),
    o: linear(read, `${p}self_attn.o_proj`, D, qDim, c.oBias),
    postNorm: read(`${p}post_attention_layernorm.weight`, [D]),
    gate: linear(read, `${p}mlp.gate_proj`, M, D, c.mlpBias),
    up: linear(read, `${p}mlp.up_proj`, M, D, c.mlpBias),
    down: linear(read, `${p}mlp.down_proj`, D, M, c.mlpBias),
  };
}

function linear<W extends Weight>(read: Read<W>, name: string, outFeatures: number, inFeatures: number, bias: boolean): Linear<W> {
  return {
    weight: read(`${name}.weight`, [outFeatures, inFeatures]),
    bias: bias ? read(`${name}.bias`, [outFeatures]) : undefined,
    outFeatures,
    inFeatures,
  };
}

function checker(store: WeightStore): Read<Float32Array> {
  const empty = new Float32Array(0);
  return (name, shape) => {
    store.check(name, shape);
    return empty;
  };
}
