import { applyPlanToBookkeeping, attentionBias, DymuError, initialTokenBatch, noMerging, type Matching, type MergePlan, type MergePolicy, type TokenBatch } from '@dymu/core';
import { SessionPool, type Session } from '@dymu/onnx';
import { inFile, llavaSelectedBlocks, numPatches, openVisionTower, readPreprocessorConfig, VitWeights, type PreprocessorConfig, type LlavaConfig, type VisionTower, type VitConfig, type WeightStore } from '@dymu/weights';
import { preprocessBatch, type PadMode } from './preprocess.ts';
import { mergeGraph } from './merge-graphs.ts';
import { attentionGraph, embeddingsGraph, mlpGraph, postLayerNormGraph } from './vit-graphs.ts';

/**
 * Which hidden state the encoder hands on. `layer` indexes Hugging Face's `hidden_states`
 * (0 = embeddings, i = output of block i − 1, negative counts from the end), so LLaVA's
 * `mm_vision_select_layer: -2` is `layer: -2`. Blocks after the selected one are never run.
 */
export interface FeatureSelection {
  layer: number;
  postLayerNorm: boolean;
  dropClassToken: boolean;
}

/** LLaVA-1.5 (CLIP): penultimate block, no post-LN, class token dropped. LLaVA-OneVision (SigLIP): last block removed, no post-LN. */
export const LLAVA_FEATURES: FeatureSelection = { layer: -2, postLayerNorm: false, dropClassToken: true };
/**
 * What a LLaVA checkpoint's config.json takes from its tower: the blocks its layer selection runs
 * (@dymu/weights' llavaSelectedBlocks, counted on the tower's config), no post-LN, the class token
 * dropped for 'patch'.
 */
export function llavaFeatures(llava: LlavaConfig, tower: VisionTower): FeatureSelection {
  return { layer: llavaSelectedBlocks(llava, tower), postLayerNorm: false, dropClassToken: llava.selectFeature === 'patch' };
}

/** The model's own `last_hidden_state` (SigLIP applies post-LN to it, CLIP does not). */
export function lastHiddenState(config: VitConfig): FeatureSelection {
  return { layer: -1, postLayerNorm: config.arch === 'siglip', dropClassToken: false };
}

export interface EncodedImage {
  /** Output tokens [count, D] in encoder output order. */
  readonly tokens: Float32Array;
  readonly count: number;
  /** Tokens after the selected block including a class token (the paper's count). */
  readonly countWithClassToken: number;
  /** Patches held by each output token [count]. */
  readonly sizes: Float32Array;
  /** For each original patch (raster order; the class token's entry removed when it is dropped), its output token. */
  readonly source: Int32Array;
  /** Token count (class token included) after each block that ran. */
  readonly blockCounts: number[];
}

export type BlockObserver = (event: { block: number; stage: 'attention' | 'output'; state: TokenBatch; metric?: Float32Array }) => void;

/** Wall milliseconds spent in each phase of the blocks, accumulated over calls. */
export interface EncodeTimings {
  attention: number;
  /** Bipartite matching, the policy's plan and the merge: the cost of merging itself. */
  merging: number;
  mlp: number;
}

export function emptyTimings(): EncodeTimings {
  return { attention: 0, merging: 0, mlp: 0 };
}

export interface EncodeOptions {
  policy?: MergePolicy;
  /** Accumulates where the time of the blocks goes. */
  timings?: EncodeTimings;
  /** LLaVA-1.5 pads images to a square of the mean colour before the processor. */
  pad?: PadMode;
  /** Sees the token batch after each half-block (for parity tests and visualisations). */
  observe?: BlockObserver;
}

export interface LoadOptions {
  pool?: SessionPool;
  /** `layer` counts the blocks of the tower as loaded (a checkpoint's tower: the blocks it holds). */
  features?: FeatureSelection;
  /** A LLaVA checkpoint whose own (fine-tuned) tower weights are used when it holds them (@dymu/weights' openVisionTower). */
  checkpoint?: WeightStore;
}

/**
 * A CLIP or SigLIP vision tower from a Hugging Face model directory (or its config with a LLaVA
 * checkpoint's fine-tuned weights), run block by block on onnxruntime.
 */
export class VitEncoder {
  private constructor(
    readonly dir: string,
    /** Where its config and its weights come from. */
    readonly tower: VisionTower,
    readonly config: VitConfig,
    readonly preprocessing: PreprocessorConfig,
    readonly features: FeatureSelection,
    readonly fingerprint: string,
    private readonly sessions: { embeddings: Session; attention: Session[]; mlp: Session[]; post?: Session; merge: Session },
    readonly pool: SessionPool,
  ) {}

  static load(dir: string, options: LoadOptions = {}): Promise<VitEncoder> {
    return VitEncoder.fromTower(dir, openVisionTower(dir, options.checkpoint), options);
  }

  /** The tower `openVisionTower` opened for directory `dir`. */
  static async fromTower(dir: string, tower: VisionTower, options: LoadOptions = {}): Promise<VitEncoder> {
    const { config, store } = tower;
    const weights = new VitWeights(store, config, inFile);
    weights.checkAll();
    const features = options.features ?? LLAVA_FEATURES;
    const blocks = blocksToRun(config, features);
    const pool = options.pool ?? new SessionPool();
    // Sessions are shared by config and weights directory: the fingerprint alone does not tell two checkpoints of one shape apart.
    const fingerprint = store.fingerprint();
    const key = `${tower.configDir}|${tower.weightsDir}/${config.prefix}#${fingerprint}`;
    const embeddings = await pool.get(`${key}/embeddings`, () => embeddingsGraph(config, weights.embeddings()));
    const attention: Session[] = [];
    const mlp: Session[] = [];
    for (let i = 0; i < blocks; i++) {
      const layer = weights.layer(i);
      attention.push(await pool.get(`${key}/block${i}/attention`, () => attentionGraph(config, layer, i)));
      mlp.push(await pool.get(`${key}/block${i}/mlp`, () => mlpGraph(config, layer, i)));
    }
    const post = features.postLayerNorm ? await pool.get(`${key}/post_layernorm`, () => postLayerNormGraph(config, weights.postLayerNorm())) : undefined;
    const merge = await pool.get('merge', mergeGraph);
    return new VitEncoder(dir, tower, config, readPreprocessorConfig(tower.configDir, config), features, fingerprint, { embeddings, attention, mlp, post, merge }, pool);
  }

  /** Number of blocks that run for the selected features. */
  get blocks(): number {
    return this.sessions.attention.length;
  }

  /** Patches per image (class token excluded). */
  get patches(): number {
    return numPatches(this.config);
  }

  /** Preprocesses and encodes images (paths or encoded bytes) as one batch. */
  async encode(images: (string | Buffer)[], options: EncodeOptions = {}): Promise<EncodedImage[]> {
    const { pixels } = await preprocessBatch(images, this.preprocessing, { pad: options.pad });
    return this.encodePixels(pixels, images.length, options);
  }

  /** Encodes preprocessed pixels [B, C, S, S]. */
  async encodePixels(pixels: Float32Array, batch: number, options: EncodeOptions = {}): Promise<EncodedImage[]> {
    const { numChannels: C, imageSize: S, hiddenSize: D, numHeads: H } = this.config;
    if (pixels.length !== batch * C * S * S) {
      throw new DymuError(`expected ${batch}×${C}×${S}×${S} pixel values, got ${pixels.length}`, { field: 'pixel_values' });
    }
    const policy = options.policy ?? noMerging;
    const embedded = await this.sessions.embeddings.run({ pixel_values: { data: pixels, dims: [batch, C, S, S] } });
    const tokens0 = embedded.hidden.dims[1];
    let state = initialTokenBatch(embedded.hidden.data as Float32Array, batch, tokens0, D);
    const counts: number[][] = Array.from({ length: batch }, () => []);
    const timings = options.timings ?? emptyTimings();
    let clock = performance.now();
    const lap = (phase: keyof EncodeTimings) => {
      const now = performance.now();
      timings[phase] += now - clock;
      clock = now;
    };
    for (let block = 0; block < this.blocks; block++) {
      const attended = await this.sessions.attention[block].run({
        hidden: { data: state.hidden, dims: [batch, state.tokens, D] },
        attn_bias: { data: attentionBias(state), dims: [batch, state.tokens] },
      });
      const metric = attended.metric.data as Float32Array;
      state = { ...state, hidden: attended.hidden_out.data as Float32Array };
      options.observe?.({ block, stage: 'attention', state, metric });
      lap('attention');
      const matching: Matching | undefined = policy.usesMatching
        ? { score: attended.match_score.data as Float32Array, index: Int32Array.from(attended.match_index.data as BigInt64Array, Number), stride: Math.ceil(state.tokens / 2) }
        : undefined;
      const plan = policy.plan(state, { block, numBlocks: this.config.numLayers, metric, metricDim: D / H, classToken: this.config.classToken, matching });
      if (plan) state = await this.merge(state, plan);
      lap('merging');
      const out = await this.sessions.mlp[block].run({ hidden: { data: state.hidden, dims: [batch, state.tokens, D] } });
      state = { ...state, hidden: out.hidden_out.data as Float32Array };
      options.observe?.({ block, stage: 'output', state });
      state.lengths.forEach((n, b) => counts[b].push(n));
      lap('mlp');
    }
    if (this.sessions.post) {
      const out = await this.sessions.post.run({ hidden: { data: state.hidden, dims: [batch, state.tokens, D] } });
      state = { ...state, hidden: out.hidden_out.data as Float32Array };
    }
    return Array.from({ length: batch }, (_, b) => this.select(state, b, counts[b]));
  }

  /** Applies a policy's plan: bookkeeping in JS (per token), the size-weighted mean of hidden states in onnxruntime. */
  private async merge(state: TokenBatch, plan: MergePlan): Promise<TokenBatch> {
    const { batch, tokens: T, dim: D } = state;
    const next = applyPlanToBookkeeping(state, plan);
    const scatter = new BigInt64Array(batch * T * 2);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < T; t++) {
        scatter[2 * (b * T + t)] = BigInt(b);
        scatter[2 * (b * T + t) + 1] = BigInt(t < state.lengths[b] ? plan.destination[b * T + t] : 0); // padding has size 0: adds nothing
      }
    }
    const out = await this.sessions.merge.run({
      hidden: { data: state.hidden, dims: [batch, T, D] },
      sizes: { data: state.sizes, dims: [batch, T] },
      scatter_index: { data: scatter, dims: [batch, T, 2] },
      new_sizes: { data: next.sizes, dims: [batch, next.tokens] },
      size_offset: { data: Float32Array.of(plan.sizeOffset ?? 0), dims: [1] },
    });
    return { ...next, hidden: out.merged.data as Float32Array };
  }

  private select(state: TokenBatch, b: number, blockCounts: number[]): EncodedImage {
    const D = state.dim;
    const length = state.lengths[b];
    const skip = this.features.dropClassToken && this.config.classToken ? 1 : 0;
    const row0 = b * state.tokens;
    const source = skip ? state.sources[b].subarray(1).map((t) => t - skip) : state.sources[b].slice();
    return {
      tokens: state.hidden.slice((row0 + skip) * D, (row0 + length) * D),
      count: length - skip,
      countWithClassToken: length,
      sizes: state.sizes.slice(row0 + skip, row0 + length),
      source,
      blockCounts,
    };
  }
}

function blocksToRun(config: VitConfig, features: FeatureSelection): number {
  const L = config.numLayers;
  const layer = features.layer < 0 ? L + 1 + features.layer : features.layer;
  if (!Number.isInteger(layer) || layer < 0 || layer > L) {
    throw new DymuError(`hidden-state index ${features.layer} is outside 0…${L} (or −${L + 1}…−1)`, { file: config.source, field: 'features.layer' });
  }
  return layer;
}
