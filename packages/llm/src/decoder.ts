import { resolve } from 'node:path';
import { DymuError, WEIGHT_FORMATS, type WeightFormat } from '@dymu/core';
import { type LinearWeights, type Session, SessionPool } from '@dymu/onnx';
import { unmergeMap, type UnmergeMap } from '@dymu/vtu';
import { inFile, type Linear, type LlmConfig, LlmWeights, quantizedWeights, type QuantizeTarget, readLlmConfig, type Weight, WeightStore } from '@dymu/weights';
import { packBatch } from './batch.ts';
import { type DecoderLayer, decoderLayerGraph, embeddingGraph, headGraph, LAYER_LINEARS } from './graphs.ts';

/** One sequence of a decoder pass. */
export interface SequenceInput {
  /** Unique rows [U, D]: token embeddings, projected image tokens. */
  rows: Float32Array;
  /** Virtual → unique rows (VTU); when omitted, the identity: every row its own position. */
  map?: UnmergeMap;
}

/** Keys and values of every layer after a pass; a batch's sequences are left-padded to a common length. */
export interface KvCache {
  readonly batch: number;
  /** Cached positions per sequence slot (P), padding included: N after the prefill of one sequence. */
  readonly length: number;
  /** Per layer, [B, Hkv, P, dh]; keys with RoPE applied. */
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  /** [B, P]: 0, or MASKED on padding. */
  readonly keyBias: Float32Array;
  /** Per sequence, the RoPE position of its next token (its virtual length so far). */
  readonly next: Int32Array;
}

export interface ForwardResult {
  /** The last layer's unique rows [B, U, D], left-padded. */
  hidden: Float32Array;
  unique: number;
  /** Per sequence, the row of `hidden` (0 … B·U − 1) at its last virtual position. */
  lastRows: Int32Array;
  cache: KvCache;
}

export interface DecoderLoadOptions {
  pool?: SessionPool;
  /** The linear layers' format (default float32). */
  weights?: WeightFormat;
  /** Where quantised weights are cached (default `$DYMU_CACHE` or `.cache/dymu`). */
  cacheDir?: string;
}

/** Hub names of layer i's linear layers (without `.weight`). */
function linearNames(i: number): Record<(typeof LAYER_LINEARS)[number], string> {
  const p = `model.layers.${i}.`;
  return { q: `${p}self_attn.q_proj`, k: `${p}self_attn.k_proj`, v: `${p}self_attn.v_proj`, o: `${p}self_attn.o_proj`, gate: `${p}mlp.gate_proj`, up: `${p}mlp.up_proj`, down: `${p}mlp.down_proj` };
}

/** lm_head, or the embeddings it is tied to. */
function lmHeadName(config: LlmConfig): string {
  return config.tieWordEmbeddings ? 'model.embed_tokens' : 'lm_head';
}

/** Every linear weight that a quantised format quantises, at the shape checkAll() verified: the layers' projections and lm_head. */
function quantizeTargets(config: LlmConfig, store: WeightStore): QuantizeTarget[] {
  const names = [...Array.from({ length: config.numLayers }, (_, i) => Object.values(linearNames(i))).flat(), lmHeadName(config)];
  return names.map((name) => ({ source: `${name}.weight`, shape: store.info(`${name}.weight`).shape as [number, number] }));
}

/** A LLaMA / Qwen2 decoder from a Hugging Face directory, one onnxruntime session per layer. */
export class LlmDecoder {
  private constructor(
    readonly config: LlmConfig,
    readonly pool: SessionPool,
    private readonly sessions: { embeddings: Session; layers: Session[]; head: Session },
  ) {}

  /**
   * Loads the decoder with its linear layers (and lm_head) in `weights` format: float32 (default,
   * the reference) or int8 / int4 quantised from the checkpoint while loading, cached on disk by the
   * weights' content hash (`quantizedWeights`).
   */
  static async load(dir: string, options: DecoderLoadOptions = {}): Promise<LlmDecoder> {
    const config = readLlmConfig(dir);
    const store = WeightStore.open(dir);
    const weights = new LlmWeights(store, config, inFile);
    weights.checkAll();
    const format = options.weights ?? 'float32';
    if (!(WEIGHT_FORMATS as readonly string[]).includes(format)) {
      throw new DymuError(`unknown weight format ${JSON.stringify(format)} (expected one of ${WEIGHT_FORMATS.join(', ')})`, { field: 'weights' });
    }
    const quantized = format === 'float32' ? undefined : await quantizedWeights(store, quantizeTargets(config, store), format, { cacheDir: options.cacheDir });
    const linear = (name: string, w: Linear<Weight>): LinearWeights => (quantized ? { ...w, weight: quantized.get(`${name}.weight`)! } : w);
    const pool = options.pool ?? new SessionPool();
    const key = `${resolve(dir)}#${store.fingerprint()}/${format}`;
    const embeddings = await pool.get(`${key}/embeddings`, () => embeddingGraph(config, weights.embedTokens()));
    const layers: Session[] = [];
    for (let i = 0; i < config.numLayers; i++) {
      const w = weights.layer(i);
      const names = linearNames(i);
      const layer = { ...w, ...Object.fromEntries(LAYER_LINEARS.map((l) => [l, linear(names[l], w[l])])) } as DecoderLayer;
      layers.push(await pool.get(`${key}/layer${i}`, () => decoderLayerGraph(config, layer, i)));
    }
    const { vocabSize: V, hiddenSize: D } = config;
    const head = await pool.get(`${key}/head`, () => headGraph(config, weights.norm(), linear(lmHeadName(config), { weight: weights.lmHead(), outFeatures: V, inFeatures: D }).weight));
    return new LlmDecoder(config, pool, { embeddings, layers, head });
  }

  /** Token embeddings [ids.length, D]. */
  async embed(ids: readonly number[]): Promise<Float32Array> {
    const bad = ids.find((id) => !(Number.isInteger(id) && id >= 0 && id < this.config.vocabSize));
    if (bad !== undefined) throw new DymuError(`token id ${bad} is outside the vocabulary of ${this.config.vocabSize}`, { file: this.config.source, field: 'vocab_size' });
    const out = await this.sessions.embeddings.run({ input_ids: { data: BigInt64Array.from(ids, BigInt), dims: [1, ids.length] } });
    return out.hidden.data as Float32Array;
  }

  /**
   * One pass over a batch: a prefill (no cache) or new rows appended to `cache` (decoding, or a
   * continued prefill). With a map, the sequence's unique rows stand for its virtual rows (VTU).
   */
  async forward(sequences: readonly SequenceInput[], cache?: KvCache): Promise<ForwardResult> {
    const D = this.config.hiddenSize;
    const maps = sequences.map((s, b) => {
      const m = s.map ?? unmergeMap([{ kind: 'text', length: s.rows.length / D }]);
      if (s.rows.length !== m.unique * D || m.virtual === 0) {
        throw new DymuError(`${s.rows.length} values are not ${m.unique} unique rows of width ${D} (with ≥ 1 virtual row)`, { field: `sequences[${b}]` });
      }
      return m;
    });
    const B = sequences.length;
    if (cache && cache.batch !== B) throw new DymuError(`the cache holds ${cache.batch} sequences, got ${B}`, { field: 'sequences' });
    const p = packBatch(maps, cache?.next ?? new Int32Array(B));
    const [U, N, P] = [p.unique, p.virtual, cache?.length ?? 0];
    let hidden: Float32Array = new Float32Array(B * U * D);
    sequences.forEach((s, b) => hidden.set(s.rows, (b * U + p.rowOffset[b]) * D));
    const keyBias = new Float32Array(B * (P + N));
    for (let b = 0; b < B; b++) {
      if (cache) keyBias.set(cache.keyBias.subarray(b * P, (b + 1) * P), b * (P + N));
      keyBias.set(p.keyBias.subarray(b * N, (b + 1) * N), b * (P + N) + P);
    }
    const { numKvHeads: Hkv, headDim: dh } = this.config;
    const empty = { data: new Float32Array(0), dims: [B, Hkv, 0, dh] };
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (const [i, layer] of this.sessions.layers.entries()) {
      const out = await layer.run({
        hidden: { data: hidden, dims: [B, U, D] },
        map: { data: p.map, dims: [B, N] },
        positions: { data: p.positions, dims: [B, N] },
        group_weight: { data: p.weights, dims: [B, N] },
        key_bias: { data: keyBias, dims: [B, P + N] },
        past_key: cache ? { data: cache.keys[i], dims: [B, Hkv, P, dh] } : empty,
        past_value: cache ? { data: cache.values[i], dims: [B, Hkv, P, dh] } : empty,
      });
      hidden = out.hidden_out.data as Float32Array;
      keys.push(out.present_key.data as Float32Array);
      values.push(out.present_value.data as Float32Array);
    }
    const next = Int32Array.from(maps, (m, b) => (cache?.next[b] ?? 0) + m.virtual);
    return {
      hidden,
      unique: U,
      lastRows: Int32Array.from(p.lastRow, (row, b) => b * U + row),
      cache: { batch: B, length: P + N, keys, values, keyBias, next },
    };
  }

  /** Logits [rows, V] of hidden rows [rows, D] (final norm and lm_head). */
  async logits(hidden: Float32Array, rows: number): Promise<Float32Array> {
    const out = await this.sessions.head.run({ hidden: { data: hidden, dims: [1, rows, this.config.hiddenSize] } });
    return out.logits.data as Float32Array;
  }

  /** Logits [B, V] at each sequence's last virtual position: the next-token distribution. */
  async nextLogits(result: ForwardResult): Promise<Float32Array> {
    const D = this.config.hiddenSize;
    const rows = new Float32Array(result.lastRows.length * D);
    result.lastRows.forEach((row, b) => rows.set(result.hidden.subarray(row * D, (row + 1) * D), b * D));
    return this.logits(rows, result.lastRows.length);
  }
}
