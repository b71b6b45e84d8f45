import { DymuError, type FileTensor } from '@dymu/core';
import { numPatches, type VitConfig } from './vit-config.ts';
import type { WeightStore } from './weight-store.ts';

/** A weight as a float32 array in memory, or as its place in a file (handed to onnxruntime as it is). */
export type Weight = Float32Array | FileTensor;

/** How a model's weights are read: `inMemory` (float32 arrays, for JS code and references) or `inFile`. */
export type TensorReader<W extends Weight> = (store: WeightStore, name: string, shape: number[]) => W;
export const inMemory: TensorReader<Float32Array> = (store, name, shape) => store.get(name, shape);
export const inFile: TensorReader<FileTensor> = (store, name, shape) => store.file(name, shape);

export interface Linear<W extends Weight = Float32Array> {
  /** [out, in], as stored by Hugging Face. */
  weight: W;
  bias?: W;
  outFeatures: number;
  inFeatures: number;
}

export interface Norm<W extends Weight = Float32Array> {
  weight: W;
  bias: W;
}

export interface VitLayerWeights<W extends Weight = Float32Array> {
  ln1: Norm<W>;
  q: Linear<W>;
  k: Linear<W>;
  v: Linear<W>;
  o: Linear<W>;
  ln2: Norm<W>;
  fc1: Linear<W>;
  fc2: Linear<W>;
}

export interface VitEmbeddingWeights<W extends Weight = Float32Array> {
  /** [D, C, P, P] */
  patchWeight: W;
  /** SigLIP only. */
  patchBias?: W;
  /** [D], CLIP only. */
  classEmbedding?: W;
  /** [numPositions, D] */
  positionEmbedding: W;
  /** CLIP only: vision_model.pre_layrnorm (sic). */
  preLayerNorm?: Norm<W>;
}

/** Reads a tensor of the tower by its name under the prefix, checking its shape. */
type Read<W> = (name: string, shape: number[]) => W;

/** One vision tower under its Hub tensor names, loaded part by part on demand (by default as float32 arrays). */
export class VitWeights<W extends Weight = Float32Array> {
  private readonly read: Read<W>;

  constructor(
    readonly store: WeightStore,
    readonly config: VitConfig,
    reader: TensorReader<W> = inMemory as TensorReader<W>,
  ) {
    this.read = (name, shape) => reader(store, config.prefix + name, shape);
  }

  embeddings(): VitEmbeddingWeights<W> {
    return embeddings(this.config, this.read);
  }

  /** Loads only layer i's tensors. */
  layer(i: number): VitLayerWeights<W> {
    return layer(this.config, this.read, i);
  }

  postLayerNorm(): Norm<W> {
    return norm(this.read, 'post_layernorm', this.config.hiddenSize);
  }

  /** Checks presence, dtype and shape of every tensor the tower needs, reading headers only. */
  checkAll(): void {
    const empty = new Float32Array(0);
    const check: Read<Float32Array> = (name, shape) => {
      this.store.check(this.config.prefix + name, shape);
      return empty;
    };
    embeddings(this.config, check);
    for (let i = 0; i < this.config.numLayers; i++) layer(this.config, check, i);
    norm(check, 'post_layernorm', this.config.hiddenSize);
  }
}

function embeddings<W extends Weight>(c: VitConfig, read: Read<W>): VitEmbeddingWeights<W> {
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

function layer<W extends Weight>(c: VitConfig, read: Read<W>, i: number): VitLayerWeights<W> {
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

function linear<W extends Weight>(read: Read<W>, name: string, outFeatures: number, inFeatures: number): Linear<W> {
  return { weight: read(`${name}.weight`, [outFeatures, inFeatures]), bias: read(`${name}.bias`, [outFeatures]), outFeatures, inFeatures };
}

function norm<W extends Weight>(read: Read<W>, name: string, d: number): Norm<W> {
  return { weight: read(`${name}.weight`, [d]), bias: read(`${name}.bias`, [d]) };
}
