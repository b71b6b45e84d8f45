import { DymuError } from '@dymu/core';
import { numPatches, type VitConfig } from './vit-config.ts';
import type { WeightStore } from './weight-store.ts';

export interface Linear {
  /** [out, in], as stored by Hugging Face. */
  weight: Float32Array;
  bias?: Float32Array;
  outFeatures: number;
  inFeatures: number;
}

export interface Norm {
  weight: Float32Array;
  bias: Float32Array;
}

export interface VitLayerWeights {
  ln1: Norm;
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  ln2: Norm;
  fc1: Linear;
  fc2: Linear;
}

export interface VitEmbeddingWeights {
  /** [D, C, P, P] */
  patchWeight: Float32Array;
  /** SigLIP only. */
  patchBias?: Float32Array;
  /** [D], CLIP only. */
  classEmbedding?: Float32Array;
  /** [numPositions, D] */
  positionEmbedding: Float32Array;
  /** CLIP only: vision_model.pre_layrnorm (sic). */
  preLayerNorm?: Norm;
}

/** Reads a tensor of the tower by its name under the prefix, checking its shape. */
type Read = (name: string, shape: number[]) => Float32Array;

/** One vision tower under its Hub tensor names, loaded part by part on demand. */
export class VitWeights {
  private readonly read: Read;

  constructor(
    readonly store: WeightStore,
    readonly config: VitConfig,
  ) {
    this.read = (name, shape) => store.get(config.prefix + name, shape);
  }

  embeddings(): VitEmbeddingWeights {
    return embeddings(this.config, this.read);
  }

  /** Loads only layer i's tensors. */
  layer(i: number): VitLayerWeights {
    return layer(this.config, this.read, i);
  }

  postLayerNorm(): Norm {
    return norm(this.read, 'post_layernorm', this.config.hiddenSize);
  }

  /** Checks presence, dtype and shape of every tensor the tower needs, reading headers only. */
  checkAll(): void {
    const empty = new Float32Array(0);
    const check: Read = (name, shape) => {
      this.store.check(this.config.prefix + name, shape);
      return empty;
    };
    embeddings(this.config, check);
    for (let i = 0; i < this.config.numLayers; i++) layer(this.config, check, i);
    norm(check, 'post_layernorm', this.config.hiddenSize);
  }
}

function embeddings(c: VitConfig, read: Read): VitEmbeddingWeights {
  const { hiddenSize: d, patchSize: p } = c;
  const clip = c.arch === 'clip';
  const positions = numPatches(c) + (c.classToken ? 1 : 0);
  return {
    patchWeight: read('embeddings.patch_embedding.weight', [d, c.numChannels, p, p]),
    patchBias: clip ? undefined : read('embeddings.patch_embedding.bias', [d]),
    classEmbedding: c.classToken ? read('embeddings.class_embedding', [d]) : undefined,
    positionEmbedding: read('embeddings.position_embedding.weight', [positions, d]),
    preLayerNorm: clip ? norm(read, 'pre_layrnorm', d) : undefined,
  };
}

function layer(c: VitConfig, read: Read, i: number): VitLayerWeights {
  if (!Number.isInteger(i) || i < 0 || i >= c.numLayers) {
    throw new DymuError(`layer ${i} does not exist (the tower has ${c.numLayers})`, { file: c.source, field: 'num_hidden_layers' });
  }
  const p = `encoder.layers.${i}.`;
  const { hiddenSize: d, intermediateSize: m } = c;
  return {
    ln1: norm(read, `${p}layer_norm1`, d),
    q: linear(read, `${p}self_attn.q_proj`, d, d),
    k: linear(read, `${p}self_attn.k_proj`, d, d),
    v: linear(read, `${p}self_attn.v_proj`, d, d),
    o: linear(read, `${p}self_attn.out_proj`, d, d),
    ln2: norm(read, `${p}layer_norm2`, d),
    fc1: linear(read, `${p}mlp.fc1`, m, d),
    fc2: linear(read, `${p}mlp.fc2`, d, m),
  };
}

function linear(read: Read, name: string, outFeatures: number, inFeatures: number): Linear {
  return { weight: read(`${name}.weight`, [outFeatures, inFeatures]), bias: read(`${name}.bias`, [outFeatures]), outFeatures, inFeatures };
}

function norm(read: Read, name: string, d: number): Norm {
  return { weight: read(`${name}.weight`, [d]), bias: read(`${name}.bias`, [d]) };
}
