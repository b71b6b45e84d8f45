import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DymuError, type FileTensor } from '@dymu/core';
import { GraphBuilder, linear, SessionPool } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-external-'));
const pool = new SessionPool({ intraOpThreads: 1 });
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

/** A file holding `skip` bytes of junk, then the float32 weights, then their BF16 bits (float32 bits >> 16). */
function weightFile(w: Float32Array, skip: number): { f32: FileTensor; bf16: FileTensor } {
  const file = join(root, `w${skip}.bin`);
  const bf16 = Uint16Array.from(new Uint32Array(w.buffer), (bits) => bits >>> 16);
  writeFileSync(file, Buffer.concat([Buffer.alloc(skip, 7), Buffer.from(w.buffer), Buffer.from(bf16.buffer)]));
  return {
    f32: { file, offset: skip, byteLength: w.byteLength, dtype: 'F32', shape: [3, 4] },
    bf16: { file, offset: skip + w.byteLength, byteLength: bf16.byteLength, dtype: 'BF16', shape: [3, 4] },
  };
}

/** y = x Wᵀ with W [3, 4] from memory or from a file. */
async function apply(key: string, weight: Float32Array | FileTensor, x: Float32Array): Promise<Float32Array> {
  const g = new GraphBuilder(key);
  const input = g.input('x', 'float32', [1, 4]);
  g.output(linear(g, input, { weight, outFeatures: 3, inFeatures: 4 }, 'fc'), 'y', 'float32', [1, 3]);
  const session = await pool.get(key, () => g.toModel());
  return (await session.run({ x: { data: x, dims: [1, 4] } })).y.data as Float32Array;
}

describe('initializers from files (ONNX external data)', () => {
  // values exact in BF16, so both file forms must give the same bits as the arrays in memory
  const w = Float32Array.from([1, -2, 0.5, 4, 0.25, 3, -1, 2, 8, -0.5, 1.5, -4]);
  const x = Float32Array.from([0.5, 1, -2, 3]);
  const naive = Array.from({ length: 3 }, (_, o) => w.slice(o * 4, o * 4 + 4).reduce((s, v, i) => s + v * x[i], 0));

  it('reads F32 bytes at any offset of a file, and casts BF16 to float32, as the same arrays in memory give', async () => {
    const files = weightFile(w, 13);
    expect(Array.from(await apply('memory', w, x))).toEqual(naive);
    expect(Array.from(await apply('f32', files.f32, x))).toEqual(naive);
    expect(Array.from(await apply('bf16', files.bf16, x))).toEqual(naive);
    // the pool reads every creation's file tensors into one scratch buffer: an earlier session must not see a later one's weights
    const other = weightFile(w.map((v) => -v), 5);
    expect(Array.from(await apply('other', other.f32, x))).toEqual(naive.map((v) => -v));
    expect(Array.from(await apply('f32', files.f32, x))).toEqual(naive); // the pool's session 'f32', created before 'other'
  });

  it('refuses a file tensor whose shape does not fit, and a toBytes() of a graph that has one', () => {
    const { f32 } = weightFile(w, 0);
    const g = new GraphBuilder('bad');
    expect(() => g.initializer('w', f32, [4, 4])).toThrow(DymuError);
    g.initializer('w', f32, [3, 4]);
    g.output(g.input('x', 'float32', [1]), 'y', 'float32', [1]);
    expect(() => g.toBytes()).toThrow('use toModel()');
  });
});
