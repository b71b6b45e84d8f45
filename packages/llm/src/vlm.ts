import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DymuError, type MergePolicy, noMerging, type WeightFormat } from '@dymu/core';
import { type AnyresLayout, type AnyresSpec, anyresViews, type EncodedImage, llavaFeatures, ONEVISION_FRAMES, type PadMode, padMode, readVideoFrames, type VideoInfo, vlmPreprocess, VitEncoder } from '@dymu/encoders';
import { type Session, SessionPool } from '@dymu/onnx';
import type { UnmergeMap } from '@dymu/vtu';
import { checkProjectorWeights, type LlavaConfig, openVisionTower, projectorWeights, readLlavaConfig, WeightStore } from '@dymu/weights';
import { anyresPackFeeds, anyresPackGraph, anyresSpec } from './anyres-pack.ts';
import { concat } from './arrays.ts';
import { LlmDecoder, type SequenceInput } from './decoder.ts';
import { generate, type GenerateOptions, type Generation } from './generate.ts';
import { projectorGraph } from './graphs.ts';
import { type ImageRows, splice, tokenizePrompt } from './splice.ts';
import { chatTemplate, type ChatTemplate, defaultTemplate } from './templates.ts';
import { TextTokenizer } from './tokenizer.ts';
import { pooledVideoTokens, videoPoolFeeds, videoPoolGraph, type VideoPoolSpec, videoPoolSpec } from './video-pool.ts';

export interface VlmLoadOptions {
  pool?: SessionPool;
  /**
   * The vision tower directory, instead of resolving config.json's mm_vision_tower: its config and
   * processor; the weights stay the checkpoint's own when it holds them (@dymu/weights' openVisionTower).
   */
  visionTower?: string;
  /** A chat template name (default: vicuna_v1 for LLaMA, qwen_1_5 for Qwen2). */
  template?: string;
  /** The decoder's linear layers (default float32; int8 / int4 quantised and cached, see LlmDecoder.load). */
  weights?: WeightFormat;
  cacheDir?: string;
}

export interface AskOptions extends GenerateOptions {
  /** The encoder's merge policy (default: none). */
  policy?: MergePolicy;
  /** Virtual token unmerging in the LLM (default true); false is the "no VTU" ablation. */
  vtu?: boolean;
  /** Frames sampled uniformly from each video (default ONEVISION_FRAMES, 32, as OneVision's evaluation). */
  videoFrames?: number;
}

/** A video file for one placeholder: the model sees frames sampled from it (Vlm.encodeVideos). */
export interface VideoInput {
  video: string;
}

/** What fills one image placeholder: an image file or its bytes, or a video. */
export type VisualInput = string | Buffer | VideoInput;

export const isVideoInput = (input: VisualInput): input is VideoInput => typeof input === 'object' && !Buffer.isBuffer(input);

/** One question of a batch: its images or videos (one placeholder each) and its text. */
export interface Question {
  images: VisualInput[];
  question: string;
}

/** The frames a video placeholder used: the video's facts and the sampled frame numbers (0-based). */
export interface VideoFramesUsed {
  info: VideoInfo;
  indices: number[];
}

/**
 * One image placeholder's encoded views: one image, or AnyRes's base view and crops. With `layout`
 * the views are packed as OneVision's spatial_unpad does (Vlm.prepare); without, they go in one
 * after another, each its own raster block.
 */
export interface EncodedPlaceholder {
  parts: EncodedImage[];
  layout?: AnyresLayout;
  /**
   * A video: `parts` are its frames. Without merging they are pooled as OneVision does (`pooled`: the
   * LLM's rows, frames × pooled side² + newline); with merging they go in one after another.
   */
  video?: VideoFramesUsed & { pooled?: number };
  /**
   * The LLM's image tokens for this image without merging, packed the same way (the paper's "full
   * model"): AnyRes spatial packing, base + rows × (cols + 1); merged AnyRes views, views × patches
   * (so ToMe's 105 of 729 per view is the paper's 14.4 %).
   */
  fullTokens: number;
}

export interface Answer extends Generation {
  /** Visual tokens the LLM received (all images), without / with the class token. */
  visualTokens: number;
  visualTokensWithClass: number;
  /** What the LLM gets for the same images without merging, packed the same way (EncodedPlaceholder.fullTokens). */
  fullTokens: number;
  /** The videos of the question (frames sampled from each), when it had any. */
  videos?: VideoFramesUsed[];
  /** N_un and N of the prompt. */
  unique: number;
  virtual: number;
  /** The batch's times shared equally by its questions (one question: its own); `steps`: the batch's decoding passes. */
  timings: { encodeMs: number; prepareMs: number; prefillMs: number; decodeMs: number; steps: number };
}

/**
 * A LLaVA-style VLM from a checkpoint directory as published (LLaVA-1.5: Vicuna + CLIP; OneVision:
 * Qwen2 + SigLIP): vision tower (@dymu/encoders, with a merge policy) → projector → image tokens
 * spliced into the chat prompt → decoder with VTU.
 */
export class Vlm {
  private constructor(
    readonly config: LlavaConfig,
    readonly encoder: VitEncoder,
    readonly decoder: LlmDecoder,
    readonly tokenizer: TextTokenizer,
    readonly template: ChatTemplate,
    private readonly projector: Session,
    /** OneVision's AnyRes (config.json's image_aspect_ratio anyres…), with its spatial_unpad packing graph. */
    readonly anyres: { spec: AnyresSpec; pack: Session } | undefined,
    /** OneVision's video pooling, set up on first use (its config.json fields are checked then). */
    private readonly loadVideoPool: () => Promise<{ spec: VideoPoolSpec; pool: Session }>,
  ) {}

  private videoPool?: Promise<{ spec: VideoPoolSpec; pool: Session }>;

  static async load(dir: string, options: VlmLoadOptions = {}): Promise<Vlm> {
    const config = readLlavaConfig(dir);
    const store = WeightStore.open(dir);
    checkProjectorWeights(store, config);
    const pool = options.pool ?? new SessionPool();
    const towerDir = options.visionTower ?? findVisionTower(dir, config);
    // the tower's config from its directory, its weights the checkpoint's own (fine-tuned) when it holds them
    const tower = openVisionTower(towerDir, store);
    const encoder = await VitEncoder.fromTower(towerDir, tower, { pool, features: llavaFeatures(config, tower) });
    if (encoder.config.hiddenSize !== config.projector.inFeatures) {
      throw new DymuError(`is ${config.projector.inFeatures}, but the vision tower ${towerDir} has width ${encoder.config.hiddenSize}`, { file: config.source, field: 'mm_hidden_size' });
    }
    const decoder = await LlmDecoder.load(dir, { pool, weights: options.weights, cacheDir: options.cacheDir });
    const key = `${resolve(dir)}#${store.fingerprint()}`;
    const projector = await pool.get(`${key}/mm_projector`, () => projectorGraph(projectorWeights(store, config)));
    const template = options.template ? chatTemplate(options.template) : defaultTemplate(config.llm.family);
    const unit = Math.round(Math.sqrt(encoder.patches));
    const spec = anyresSpec(config, encoder.config.imageSize, unit);
    const D = config.llm.hiddenSize;
    const anyres = spec && { spec, pack: await pool.get(`${key}/anyres_pack`, () => anyresPackGraph(store.get('model.image_newline', [D]), D)) };
    const loadVideoPool = async () => {
      const video = videoPoolSpec(config, unit);
      const graph = () => videoPoolGraph(D, video.newline ? store.get('model.image_newline', [D]) : undefined);
      return { spec: video, pool: await pool.get(`${key}/video_pool${video.newline ? '_newline' : ''}`, graph) };
    };
    return new Vlm(config, encoder, decoder, TextTokenizer.load(dir), template, projector, anyres, loadVideoPool);
  }

  /** LLaVA-1.5 pads images to a square ('pad'); 'square' resizes the whole image (AnyRes makes its own views, see encodeImages): @dymu/encoders' vlmPreprocess. */
  get pad(): PadMode {
    return padMode(vlmPreprocess(this.config.imageAspectRatio));
  }

  /**
   * The decoder input of a prompt with image placeholders: text embeddings and projected image
   * tokens as unique rows, with VTU's map from the source maps (or the ablation's identity).
   * `images[i]` fills placeholder i: one image, a base image and its crops, or a video's frames;
   * with `packings[i]` an AnyRes layout (the crops packed as OneVision's spatial_unpad does, see
   * packSpatially) or 'video-pool' (the frames pooled, see poolFrames).
   */
  async prepare(prompt: string, images: readonly (readonly EncodedImage[])[], vtu = true, packings: readonly (Packing | undefined)[] = []): Promise<SequenceInput & { map: UnmergeMap }> {
    const D = this.decoder.config.hiddenSize;
    const chunks = tokenizePrompt(this.tokenizer, prompt);
    const text = await this.decoder.embed(chunks.flat());
    const parts = images.flat();
    const count = parts.reduce((n, p) => n + p.count, 0);
    const features = { data: concat(parts.map((p) => p.tokens)), dims: [1, count, this.config.projector.inFeatures] };
    const rows = count === 0 ? new Float32Array(0) : ((await this.projector.run({ features })).hidden.data as Float32Array);
    let at = 0;
    const imageRows: ImageRows[] = parts.map((p) => ({ rows: rows.subarray(at * D, (at += p.count) * D), count: p.count, source: p.source }));
    let t = 0;
    let k = 0;
    const groups = images.map((group) => imageRows.slice(k, (k += group.length)));
    const packed: ImageRows[][] = [];
    for (const [i, group] of groups.entries()) {
      const packing = packings[i];
      packed.push(packing === undefined ? group : packing === VIDEO_POOL ? await this.poolFrames(group) : await this.packSpatially(group, packing));
    }
    return splice(chunks.map((c) => text.subarray(t * D, (t += c.length) * D)), packed, D, vtu);
  }

  /**
   * OneVision's spatial_unpad (llava_arch.py): the crops' projected rows laid out on the crop grid,
   * unpadded, shrunk under anyres_max_N, an image_newline closing each row; the base view in front.
   * The packed rows are ordinary tokens (each its own virtual position).
   */
  async packSpatially([base, ...crops]: readonly ImageRows[], layout: AnyresLayout): Promise<ImageRows[]> {
    if (!this.anyres) throw new DymuError('is not an AnyRes model: there is nothing to pack', { file: this.config.source, field: 'image_aspect_ratio' });
    const D = this.decoder.config.hiddenSize;
    return [base, this.ordinaryRows((await this.anyres.pack.run(anyresPackFeeds(layout, this.anyres.spec.unit, crops, D))).packed.data as Float32Array)];
  }

  /**
   * OneVision's video features (llava_arch.py get_2dPool, mm_newline_position): the unmerged frames'
   * projected rows pooled bilinearly per frame, one after another, one image_newline after them
   * (video-pool.ts). The pooled rows are ordinary tokens (each its own virtual position).
   */
  async poolFrames(frames: readonly ImageRows[]): Promise<ImageRows[]> {
    const { spec, pool } = await (this.videoPool ??= this.loadVideoPool());
    return [this.ordinaryRows((await pool.run(videoPoolFeeds(spec, frames, this.decoder.config.hiddenSize))).pooled.data as Float32Array)];
  }

  /** Rows a packing graph made: each its own token (an identity source map). */
  private ordinaryRows(rows: Float32Array): ImageRows {
    const count = rows.length / this.decoder.config.hiddenSize;
    return { rows, count, source: Int32Array.from({ length: count }, (_, i) => i) };
  }

  /**
   * Encodes images and videos for the LLM (one placeholder each): the images in one batch (see
   * encodeStills), then the videos (see encodeVideos); returned in the order given.
   */
  async encodeImages(inputs: readonly VisualInput[], policy?: MergePolicy, videoFrames = ONEVISION_FRAMES): Promise<EncodedPlaceholder[]> {
    const images = inputs.filter((i) => !isVideoInput(i)) as (string | Buffer)[];
    const stills = images.length === 0 ? [] : await this.encodeStills(images, policy);
    const videos = await this.encodeVideos(inputs.filter(isVideoInput), policy, videoFrames);
    return inputs.map((i) => (isVideoInput(i) ? videos : stills).shift()!);
  }

  /**
   * Encodes videos as LLaVA-OneVision does: `frames` frames sampled uniformly from each
   * (@dymu/encoders' readVideoFrames), each resized whole to the tower's input (no AnyRes, as
   * LLaVA-NeXT's video path) and encoded with the merge policy per frame, a video's frames in one
   * batch (one video at a time: 32 frames of SigLIP so400m already hold ≈ 1 GB of attention scores
   * per block). Without merging the frames are pooled (poolFrames); with merging they go in one after
   * another, each a raster block of its patches with its own source map (as AnyRes's merged views:
   * pooling has no counterpart over merged tokens), and the full model they are compared with is
   * frames × patches.
   */
  async encodeVideos(videos: readonly VideoInput[], policy?: MergePolicy, frames = ONEVISION_FRAMES): Promise<EncodedPlaceholder[]> {
    if (videos.length === 0) return [];
    const pooled = (policy ?? noMerging) === noMerging ? (await (this.videoPool ??= this.loadVideoPool())).spec : undefined;
    const placeholders: EncodedPlaceholder[] = [];
    for (const { video } of videos) {
      const { info, indices, frames: images } = await readVideoFrames(video, frames);
      const pooledTokens = pooled && pooledVideoTokens(pooled, indices.length);
      placeholders.push({
        parts: await this.encoder.encode(images, { policy, pad: 'none' }),
        video: { info, indices, ...(pooledTokens !== undefined && { pooled: pooledTokens }) },
        fullTokens: pooledTokens ?? indices.length * this.encoder.patches,
      });
    }
    return placeholders;
  }

  /**
   * Encodes images for the LLM (one placeholder each) in one batch. AnyRes models: each image's
   * base view and crops (@dymu/encoders' anyresViews) with the merge policy per view; without
   * merging they keep their layout for the published spatial_unpad packing, with merging they go
   * in one after another (the DyMU authors' merged path; packages/llm/README.md).
   */
  async encodeStills(images: readonly (string | Buffer)[], policy?: MergePolicy): Promise<EncodedPlaceholder[]> {
    if (!this.anyres) {
      const full = this.encoder.patches + (this.config.selectFeature === 'cls_patch' && this.encoder.config.classToken ? 1 : 0);
      return (await this.encoder.encode([...images], { policy, pad: this.pad })).map((e) => ({ parts: [e], fullTokens: full }));
    }
    const views = [];
    for (const image of images) views.push(await anyresViews(image, this.encoder.preprocessing, this.anyres.spec));
    const encoded = await this.encoder.encodePixels(concat(views.map((v) => v.pixels)), views.reduce((n, v) => n + v.views, 0), { policy });
    const spatial = (policy ?? noMerging) === noMerging;
    let k = 0;
    return views.map((v) => ({
      parts: encoded.slice(k, (k += v.views)),
      ...(spatial ? { layout: v.layout, fullTokens: v.layout.tokens.total } : { fullTokens: v.views * this.encoder.patches }),
    }));
  }

  /** Answers a question about images or videos (one placeholder each) end to end. */
  async ask(images: VisualInput[], question: string, options: AskOptions): Promise<Answer> {
    return (await this.answer([{ images, question }], options))[0];
  }

  /**
   * Answers several questions as one batch: their images encoded together (each keeps exactly its
   * own tokens and merge map), the prompts left-padded into one prefill, then one decoding pass per
   * new token for the batch, each answer ending at its own EOS, stop string or `maxNewTokens`.
   * Timings are the batch's, shared equally by its questions.
   */
  async answer(questions: readonly Question[], options: AskOptions): Promise<Answer[]> {
    const t0 = performance.now();
    const encoded = await this.encodeImages(questions.flatMap((q) => q.images), options.policy, options.videoFrames);
    const t1 = performance.now();
    let k = 0;
    const parts = questions.map((q) => encoded.slice(k, (k += q.images.length)));
    const inputs: (SequenceInput & { map: UnmergeMap })[] = [];
    for (const [b, q] of questions.entries()) {
      const prompt = this.template.prompt(q.question, q.images.length);
      inputs.push(await this.prepare(prompt, parts[b].map((p) => p.parts), options.vtu ?? true, parts[b].map(packingOf)));
    }
    const t2 = performance.now();
    const result = await generate(this.decoder, this.tokenizer, inputs, { ...options, stop: options.stop ?? this.template.stop });
    const share = (ms: number) => ms / questions.length;
    return result.generations.map((generation, b) => ({
      ...generation,
      visualTokens: parts[b].reduce((n, p) => n + imageTokens(p, 'count'), 0),
      visualTokensWithClass: parts[b].reduce((n, p) => n + imageTokens(p, 'countWithClassToken'), 0),
      fullTokens: parts[b].reduce((n, p) => n + p.fullTokens, 0),
      ...(parts[b].some((p) => p.video) && { videos: parts[b].flatMap((p) => (p.video ? [{ info: p.video.info, indices: p.video.indices }] : [])) }),
      unique: inputs[b].map.unique,
      virtual: inputs[b].map.virtual,
      timings: { encodeMs: share(t1 - t0), prepareMs: share(t2 - t1), prefillMs: share(result.prefillMs), decodeMs: share(result.decodeMs), steps: result.steps },
    }));
  }
}

/** A placeholder's parts pooled as OneVision's video path does (Vlm.poolFrames). */
export const VIDEO_POOL = 'video-pool';

/** How a placeholder's parts are packed for the LLM (Vlm.prepare): an AnyRes layout, or video pooling. */
export type Packing = AnyresLayout | typeof VIDEO_POOL;

function packingOf(p: EncodedPlaceholder): Packing | undefined {
  return p.layout ?? (p.video?.pooled === undefined ? undefined : VIDEO_POOL);
}

/** The image rows one placeholder gives the LLM: its packed AnyRes layout's, its pooled video's, or its views' (frames') together. */
function imageTokens(p: EncodedPlaceholder, count: 'count' | 'countWithClassToken'): number {
  return p.layout ? p.layout.tokens.total : (p.video?.pooled ?? p.parts.reduce((n, e) => n + e[count], 0));
}

/**
 * mm_vision_tower as a directory: relative to the checkpoint (or absolute), else the Hub id's
 * snapshot in the local Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). Never downloads.
 */
function findVisionTower(dir: string, config: LlavaConfig): string {
  const local = resolve(dir, config.visionTower);
  if (existsSync(join(local, 'config.json'))) return local;
  const hub = process.env.HF_HUB_CACHE ?? join(process.env.HF_HOME ?? join(homedir(), '.cache', 'huggingface'), 'hub');
  const repo = join(hub, `models--${config.visionTower.replaceAll('/', '--')}`);
  const ref = join(repo, 'refs', 'main');
  const snapshots = existsSync(ref) ? [readFileSync(ref, 'utf8').trim()] : existsSync(join(repo, 'snapshots')) ? readdirSync(join(repo, 'snapshots')).sort() : [];
  const found = snapshots.map((s) => join(repo, 'snapshots', s)).find((s) => existsSync(join(s, 'config.json')));
  if (found) return found;
  throw new DymuError(`${JSON.stringify(config.visionTower)} is neither a directory (relative to ${dir}) nor in the Hugging Face cache ${hub}; pass the vision tower directory explicitly`, {
    file: config.source, field: 'mm_vision_tower',
  });
}
