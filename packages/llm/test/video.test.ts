import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DymuError, Rng } from '@dymu/core';
import { uniformFrameIndices } from '@dymu/encoders';
import { SessionPool } from '@dymu/onnx';
import { makeVlmModel, parseLlavaConfig, WeightStore } from '@dymu/weights';
import { type ImageRows, tokenizePrompt, VIDEO_POOL, Vlm, videoPoolFeeds, videoPoolGraph, videoPoolSpec } from '../src/index.ts';
import { mergeRuns } from './merge-runs.ts';
import { naiveBilinear } from './naive-bilinear.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-video-vlm-'));
const pool = new SessionPool();
let vlm: Vlm;
let dir: string;
let video: string;
const FRAMES_IN_FILE = 12;

beforeAll(async () => {
  dir = makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 7, out: join(root, 'ov') }).dir;
  vlm = await Vlm.load(dir, { pool });
  video = join(root, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=48x32:rate=8`, '-frames:v', String(FRAMES_IN_FILE), '-c:v', 'mpeg4', '-pix_fmt', 'yuv420p', video]);
});
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

/** Merges runs of four consecutive tokens in the first block: every frame keeps a quarter of its tokens. */
const quarters = mergeRuns(4);

/** Each frame (side² rows in raster order) as a side × side map, pooled to out × out by the naive bilinear, frame after frame. */
function naivePool(frames: number[][][], side: number, out: number): number[][] {
  return frames.flatMap((f) => naiveBilinear(Array.from({ length: side }, (_, y) => f.slice(y * side, (y + 1) * side)), out, out));
}

const rowsOf = (data: Float32Array, D: number) => Array.from({ length: data.length / D }, (_, i) => Array.from(data.subarray(i * D, (i + 1) * D)));

function worstDifference(expected: number[][], actual: Float32Array, D: number): number {
  expect(actual.length).toBe(expected.length * D);
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, d) => (worst = Math.max(worst, Math.abs(v - actual[i * D + d])))));
  return worst;
}

describe('OneVision video pooling (get_2dPool bilinear, mm_newline_position)', () => {
  const config = (fields: Record<string, unknown>) => parseLlavaConfig({ architectures: ['LlavaQwenForCausalLM'], model_type: 'llava', mm_hidden_size: 8, mm_vision_tower: 't', mm_patch_merge_type: 'spatial_unpad', ...fields }, '/ov/config.json');

  it("reads config.json's pooling fields with lmms-eval's defaults; other settings are errors naming the field", () => {
    expect(videoPoolSpec(config({}), 27)).toEqual({ stride: 2, side: 27, pooledSide: 14, newline: true });
    expect(videoPoolSpec(config({ mm_spatial_pool_stride: 3, mm_newline_position: 'no_token' }), 27)).toEqual({ stride: 3, side: 27, pooledSide: 9, newline: false });
    // LLaVA-NeXT adds the newline only for an …unpad merge type.
    expect(videoPoolSpec(config({ mm_patch_merge_type: 'flat' }), 24).newline).toBe(false);
    for (const [field, value] of [['mm_spatial_pool_mode', 'average'], ['mm_spatial_pool_stride', 0], ['mm_spatial_pool_stride', 1.5], ['mm_newline_position', 'grid']] as const) {
      const error = (() => { try { videoPoolSpec(config({ [field]: value }), 27); } catch (e) { return e; } })();
      expect(error, `${field} ${value}`).toBeInstanceOf(DymuError);
      expect((error as DymuError).message).toContain(`/ov/config.json: ${field}`);
    }
  });

  for (const [side, stride, frames, newline] of [[27, 2, 2, true], [5, 2, 3, false], [8, 3, 1, true]] as const) {
    it(`pools ${frames} frame(s) of ${side}×${side} by ${stride} as a naive bilinear${newline ? ', one newline after them' : ''}`, async () => {
      const D = 3;
      const rng = Rng.stream(side * 10 + stride, 'pool');
      const newlineRow = Float32Array.from({ length: D }, () => rng.normal());
      const session = await pool.get(`video-pool-test-${side}-${stride}`, () => videoPoolGraph(D, newline ? newlineRow : undefined));
      const spec = { stride, side, pooledSide: Math.ceil(side / stride), newline };
      const parts: ImageRows[] = Array.from({ length: frames }, () => ({ rows: Float32Array.from({ length: side * side * D }, () => rng.normal()), count: side * side, source: new Int32Array(side * side) }));
      const pooled = (await session.run(videoPoolFeeds(spec, parts, D))).pooled.data as Float32Array;
      const expected = naivePool(parts.map((p) => rowsOf(p.rows, D)), side, spec.pooledSide);
      if (newline) expected.push(Array.from(newlineRow));
      expect(worstDifference(expected, pooled, D)).toBeLessThan(1e-5);
    });
  }

  it('refuses merged frames (pooling needs the whole patch map)', () => {
    const spec = { stride: 2, side: 4, pooledSide: 2, newline: false };
    expect(() => videoPoolFeeds(spec, [{ rows: new Float32Array(8 * 3), count: 8, source: new Int32Array(16) }], 3)).toThrow(/frame 0 has 8 tokens, but pooling needs the unmerged 4×4 patches/);
  });
});

describe('a video through the generated tiny OneVision', () => {
  it('none: frames sampled uniformly, each resized whole (one view), pooled to 4×4 each plus one image_newline, as a naive pooling of the projected frames', async () => {
    const D = vlm.decoder.config.hiddenSize;
    const [placeholder] = await vlm.encodeImages([{ video }], undefined, 4);
    expect(placeholder.video!.indices).toEqual(uniformFrameIndices(FRAMES_IN_FILE, 4));
    expect(placeholder.video!.info.frames).toBe(FRAMES_IN_FILE);
    expect(placeholder.parts.map((p) => p.count)).toEqual([64, 64, 64, 64]);
    expect(placeholder.video!.pooled).toBe(4 * 16 + 1);
    expect(placeholder.fullTokens).toBe(4 * 16 + 1);
    const prompt = vlm.template.prompt('What happens?', 1);
    // The frames' projected rows, unpooled (one after another), are the independent input of the naive pooling.
    const unpooled = await vlm.prepare(prompt, [placeholder.parts]);
    const pooled = await vlm.prepare(prompt, [placeholder.parts], true, [VIDEO_POOL]);
    const text = unpooled.map.unique - 4 * 64;
    expect(pooled.map.unique).toBe(text + 65);
    expect(pooled.map.virtual).toBe(pooled.map.unique);
    const chunk0 = tokenizePrompt(vlm.tokenizer, prompt)[0].length;
    const frames = Array.from({ length: 4 }, (_, f) => rowsOf(unpooled.rows.subarray((chunk0 + f * 64) * D, (chunk0 + (f + 1) * 64) * D), D));
    const expected = naivePool(frames, 8, 4);
    expected.push(Array.from(WeightStore.open(dir).get('model.image_newline', [D])));
    expect(worstDifference(expected, pooled.rows.subarray(chunk0 * D, (chunk0 + 65) * D), D)).toBeLessThan(1e-5);
    // The text after the video is the same rows in both.
    expect(Array.from(pooled.rows.subarray((chunk0 + 65) * D))).toEqual(Array.from(unpooled.rows.subarray((chunk0 + 256) * D)));
  });

  it('a merge policy: each frame merged on its own, one after another (no pooling), a VTU map over every patch of every frame', async () => {
    const [placeholder] = await vlm.encodeImages([{ video }], quarters, 3);
    expect(placeholder.parts.map((p) => p.count)).toEqual([16, 16, 16]);
    expect(placeholder.video!.pooled).toBeUndefined();
    expect(placeholder.fullTokens).toBe(3 * 64);
    const input = await vlm.prepare('a<image>b', [placeholder.parts]);
    const text = input.map.unique - 3 * 16;
    expect(input.map.virtual).toBe(text + 3 * 64);
    expect(new Set(input.map.map).size).toBe(input.map.unique);
    // Patches 4k … 4k + 3 of each frame share one row; frames do not share rows.
    for (let f = 0; f < 3; f++) {
      const frame = input.map.map.subarray(1 + f * 64, 1 + (f + 1) * 64);
      for (let p = 0; p < 64; p++) expect(frame[p]).toBe(1 + f * 16 + (p >> 2));
    }
  });

  it('answers about a video end to end: tokens per frame summed, the share of the unmerged count, the frames used', async () => {
    const options = { maxNewTokens: 3, videoFrames: 5 };
    const [full, merged] = [await vlm.ask([{ video }], 'What happens?', options), await vlm.ask([{ video }], 'What happens?', { ...options, policy: quarters })];
    expect(full.videos!.map((v) => v.indices)).toEqual([uniformFrameIndices(FRAMES_IN_FILE, 5)]);
    expect(full.visualTokens).toBe(5 * 16 + 1);
    expect(full.fullTokens).toBe(full.visualTokens);
    expect(merged.visualTokens).toBe(5 * 16);
    expect(merged.visualTokens / merged.fullTokens).toBe(0.25);
    expect(merged.virtual - merged.unique).toBe(5 * 64 - 5 * 16);
    expect(full.tokens.length).toBeGreaterThan(0);
    expect(merged.tokens.length).toBeGreaterThan(0);
    // A batch mixing an image question and a video question gives each its own answer.
    const image = readFileSync(join(import.meta.dirname, '..', '..', '..', 'assets', 'images', 'coffee.jpg'));
    const [alone] = await vlm.answer([{ images: [{ video }], question: 'What happens?' }], options);
    const [withImage, videoInBatch] = await vlm.answer([{ images: [image], question: 'What is it?' }, { images: [{ video }], question: 'What happens?' }], options);
    expect(withImage.videos).toBeUndefined();
    expect(videoInBatch.text).toBe(alone.text);
    expect(videoInBatch.visualTokens).toBe(alone.visualTokens);
  });

  it('an empty or unreadable video is an error naming the file', async () => {
    const empty = join(root, 'empty.mp4');
    writeFileSync(empty, '');
    await expect(vlm.ask([{ video: empty }], 'Hi', { maxNewTokens: 1 })).rejects.toThrow(`${empty}: cannot read video: the file is empty`);
    const garbage = join(root, 'garbage.mp4');
    writeFileSync(garbage, 'not a video');
    await expect(vlm.ask([{ video: garbage }], 'Hi', { maxNewTokens: 1 })).rejects.toThrow(new RegExp(`${garbage}: cannot read video`));
  });
});
