import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@dymu/core';
import { GraphBuilder, SessionPool } from '@dymu/onnx';
import { makeLlmModel, quantizeInt4Blocks, quantizePerChannel } from '@dymu/weights';
import { LlmDecoder, logitFidelity } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-quantized-'));
const cacheDir = join(root, 'cache');
const pool = new SessionPool({ intraOpThreads: 1 });
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

describe('quantisers', () => {
  it('int8 per channel: scale max|row|/127, codes round(w/scale), stored [K, N]; int4: hand-computed codes, low nibble first, padding', () => {
    const q8 = quantizePerChannel(Float32Array.from([1, -2.2, 0.5, 4, 0, 0, 0, 0]), 2, 4);
    expect(Array.from(q8.scales)).toEqual([Math.fround(4 / 127), 0]);
    expect(Array.from(q8.data)).toEqual([32, 0, -70, 0, 16, 0, 127, 0]); // [K, N]: column k holds row 0's and row 1's codes
    const q4 = quantizeInt4Blocks(Float32Array.from([1, -2, 0.5, 4, 3, -3]), 1, 6, 4); // second block: 2 values + 2 padding
    expect(Array.from(q4.scales)).toEqual([Math.fround(4 / 7), Math.fround(3 / 7)]);
    // codes 10, 5, 9, 15 | 15, 1, 8, 8 (round(−3.5) = −3)
    expect(Array.from(q4.data)).toEqual([10 | (5 << 4), 9 | (15 << 4), 15 | (1 << 4), 8 | (8 << 4)]);
  });

  it('int4 codes in MatMulNBits (float products) equal a naive float64 product with the dequantised weights', async () => {
    const [N, K, block] = [12, 80, 32]; // K not a multiple of the block
    const rng = Rng.stream(4, 'quantize-test');
    const w = Float32Array.from({ length: N * K }, () => rng.normal());
    const x = Float32Array.from({ length: 3 * K }, () => rng.normal());
    const q = quantizeInt4Blocks(w, N, K, block);
    const blocks = Math.ceil(K / block);
    const g = new GraphBuilder('nbits');
    const input = g.input('x', 'float32', [3, K]);
    const codes = g.initializer('w', q.data, [N, blocks, block / 2]);
    const y = g.op('MatMulNBits', [input, codes, g.initializer('s', q.scales, [N * blocks])], { K, N, bits: 4, block_size: block, accuracy_level: 0 }, { domain: 'com.microsoft' })[0];
    g.output(y, 'y', 'float32', [3, N]);
    const session = await pool.get('nbits', () => g.toBytes());
    const got = (await session.run({ x: { data: x, dims: [3, K] } })).y.data as Float32Array;
    // naive: unpack every code by hand, (code − 8)·scale
    const weight = (n: number, k: number) => {
      const [b, i] = [Math.floor(k / block), k % block];
      const byte = q.data[(n * blocks + b) * (block / 2) + (i >> 1)];
      return ((i % 2 === 0 ? byte & 15 : byte >> 4) - 8) * q.scales[n * blocks + b];
    };
    for (let m = 0; m < 3; m++) {
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += x[m * K + k] * weight(n, k);
        expect(got[m * N + n]).toBeCloseTo(sum, 4);
      }
    }
    // and within half a step of the originals
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) expect(Math.abs(weight(n, k) - w[n * K + k])).toBeLessThanOrEqual(q.scales[n * blocks + Math.floor(k / block)] / 2 + 1e-6);
  });
});

describe('LlmDecoder with int8 / int4 weights', () => {
  const dir = makeLlmModel({ family: 'llama', preset: 'tiny', seed: 3, out: join(root, 'llama'), trainedLike: true, dtype: 'BF16' }).dir;
  const prompts = (vocab: number) => {
    const rng = Rng.stream(0, 'fidelity-prompts');
    return Array.from({ length: 50 }, () => Array.from({ length: 12 }, () => rng.int(vocab)));
  };

  it('answers close to float32 (int8: ≥ 95 % of greedy next tokens identical: 95.7 % here), quantising once into the cache', async () => {
    const reference = await LlmDecoder.load(dir, { pool });
    const seqs = prompts(reference.config.vocabSize);
    const int8 = await LlmDecoder.load(dir, { pool, weights: 'int8', cacheDir });
    const f8 = await logitFidelity(reference, int8, seqs);
    expect(f8.positions).toBe(600);
    expect(f8.agreement).toBeGreaterThanOrEqual(0.95);
    expect(f8.meanAbs).toBeLessThan(0.05 * f8.meanAbsReference);
    const int4 = await LlmDecoder.load(dir, { pool, weights: 'int4', cacheDir });
    const f4 = await logitFidelity(reference, int4, seqs);
    expect(f4.meanAbs).toBeGreaterThan(f8.meanAbs); // fewer bits, larger error
    expect(f4.agreement).toBeGreaterThan(0.4); // 51 % on this 64-wide model with heavy-tailed weights (bench/llm: the 7B-shaped figures)
    const entries = readdirSync(join(cacheDir, 'quantized'));
    expect(entries).toHaveLength(2);
    const file = join(cacheDir, 'quantized', entries[0], 'weights.bin');
    const before = statSync(file).mtimeMs;
    await LlmDecoder.load(dir, { pool: new SessionPool({ intraOpThreads: 1 }), weights: 'int8', cacheDir });
    await LlmDecoder.load(dir, { pool: new SessionPool({ intraOpThreads: 1 }), weights: 'int4', cacheDir });
    expect(readdirSync(join(cacheDir, 'quantized'))).toEqual(entries);
    expect(statSync(file).mtimeMs).toBe(before); // read from the cache, not written again
  });

  it('quantises again when the weights at the same path change, and refuses an unknown format naming the field', async () => {
    const other = join(root, 'changing');
    makeLlmModel({ family: 'llama', preset: 'tiny', seed: 4, out: other });
    const a = await LlmDecoder.load(other, { pool: new SessionPool({ intraOpThreads: 1 }), weights: 'int8', cacheDir });
    makeLlmModel({ family: 'llama', preset: 'tiny', seed: 5, out: other }); // new values, same names and shapes
    const b = await LlmDecoder.load(other, { pool: new SessionPool({ intraOpThreads: 1 }), weights: 'int8', cacheDir });
    const ids = [[1, 2, 3]];
    const [la, lb] = [await logitFidelity(a, b, ids), await logitFidelity(a, a, ids)];
    expect(la.maxAbs).toBeGreaterThan(0);
    expect(lb.maxAbs).toBe(0);
    await expect(LlmDecoder.load(other, { weights: 'fp8' as never, cacheDir })).rejects.toThrow('weights: unknown weight format "fp8" (expected one of float32, int8, int4)');
  });
});
