import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MergePolicy } from '@dymu/core';
import { SessionPool } from '@dymu/onnx';
import { makeVitModel } from '@dymu/weights';
import { encodeDecodable, VitEncoder } from '../src/index.ts';

const assets = join(import.meta.dirname, '..', '..', '..', 'assets', 'images');
const tmp = mkdtempSync(join(tmpdir(), 'encoder-decodable-'));
const pool = new SessionPool();
afterAll(() => pool.release());

/** A policy that records the batch size it sees at block 0 and never merges. */
function watcher(seen: number[]): MergePolicy {
  return { name: 'watch', usesMatching: false, plan: (state, context) => (context.block === 0 && seen.push(state.batch), null) };
}

describe('encodeDecodable', () => {
  it('encodes the images that decode as one batch and returns the positions of those that do not', async () => {
    const encoder = await VitEncoder.load(makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 0, out: join(tmp, 'model') }).dir, { pool });
    const truncated = join(tmp, 'truncated.jpg');
    writeFileSync(truncated, readFileSync(join(assets, 'coffee.jpg')).subarray(0, 2000));
    const notImage = join(tmp, 'notes.jpg');
    writeFileSync(notImage, 'not a picture');
    const good = ['coffee.jpg', 'chelsea.jpg'].map((f) => join(assets, f));
    const seen: number[] = [];
    expect(await encodeDecodable(encoder, [good[0], truncated, join(tmp, 'gone.jpg'), good[1], notImage], { policy: watcher(seen) })).toEqual([1, 2, 4]);
    expect(seen).toEqual([2]); // one forward of the two good images
    expect(await encodeDecodable(encoder, good, { policy: watcher(seen) })).toEqual([]);
    expect(seen).toEqual([2, 2]);
    expect(await encodeDecodable(encoder, [truncated, notImage], { policy: watcher(seen) })).toEqual([0, 1]);
    expect(seen).toEqual([2, 2]); // nothing left to encode
  });
});
