import { afterAll, describe, expect, it } from 'vitest';
import { InferenceSession } from 'onnxruntime-node';
import { DymuError } from '@dymu/core';
import { GraphBuilder, SessionPool } from '../src/index.ts';
import { activationRef } from './reference.ts';

const pool = new SessionPool({ intraOpThreads: 1 });
afterAll(() => pool.release());

/** y = relu(x) + c on x: [batch, tokens, 4]. */
function reluPlus(): GraphBuilder {
  const g = new GraphBuilder('relu_plus');
  const x = g.input('x', 'float32', ['batch', 'tokens', 4]);
  const y = g.op1('Add', [g.op1('Relu', [x]), g.constFloat([1, 2, 3, 4])]);
  g.output(y, 'y', 'float32', ['batch', 'tokens', 4]);
  return g;
}

describe('GraphBuilder', () => {
  it('declares symbolic dims that stay dynamic in onnxruntime', async () => {
    const bytes = reluPlus().toBytes();
    const ort = await InferenceSession.create(bytes);
    expect(ort.inputMetadata[0]).toMatchObject({ name: 'x', type: 'float32', shape: ['batch', 'tokens', 4] });
    expect(ort.outputMetadata[0]).toMatchObject({ name: 'y', shape: ['batch', 'tokens', 4] });
    await ort.release();

    const session = await pool.get('relu_plus', () => bytes);
    for (const [B, T] of [[1, 1], [3, 7], [2, 0]]) {
      const x = Float32Array.from({ length: B * T * 4 }, (_, i) => (i % 3) - 1);
      const { y } = await session.run({ x: { data: x, dims: [B, T, 4] } });
      expect(y.dims).toEqual([B, T, 4]);
      expect([...y.data]).toEqual([...x].map((v, i) => Math.max(v, 0) + (i % 4) + 1));
    }
    // the fixed dim is enforced
    await expect(session.run({ x: { data: new Float32Array(5), dims: [1, 1, 5] } })).rejects.toThrow(DymuError);
  });

  it('handles several outputs, empty optional inputs and other operator domains', async () => {
    const g = new GraphBuilder('misc');
    const x = g.input('x', 'float32', [6]);
    const [a, b] = g.op('Split', [x], { axis: 0 }, { outputs: 2, name: 'halves' });
    g.output(a, 'a', 'float32', [3]);
    g.output(g.op1('Clip', [b, null, g.constFloat([0.5], [])]), 'b', 'float32', [3]); // no min, max 0.5
    g.output(g.op('Gelu', [x], {}, { domain: 'com.microsoft' })[0], 'gelu', 'float32', [6]);
    const session = await pool.get('misc', () => g.toBytes());
    expect(session.outputNames).toEqual(['a', 'b', 'gelu']);
    const data = Float32Array.from([-2, -1, 0, 0.25, 1, 2]);
    const out = await session.run({ x: { data, dims: [6] } });
    expect([...out.a.data]).toEqual([-2, -1, 0]);
    expect([...out.b.data]).toEqual([0.25, 0.5, 0.5]);
    [...out.gelu.data].forEach((v, i) => expect(v).toBeCloseTo(activationRef.gelu(data[i]), 5));
  });

  it('names values uniquely, and shares equal constants', () => {
    const g = new GraphBuilder('names');
    const x = g.input('x', 'float32', [2]);
    const r1 = g.op1('Relu', [x]), r2 = g.op1('Relu', [x]);
    expect([r1.name, r2.name]).toEqual(['Relu', 'Relu_1']);
    expect(g.op('TopK', [x, g.constInt64([1])], {}, { outputs: 2 }).map((v) => v.name)).toEqual(['TopK:0', 'TopK:1']);
    expect(g.constInt64([1, 2])).toBe(g.constInt64([1, 2]));
    expect(g.constInt64([1, 2], [2, 1])).not.toBe(g.constInt64([1, 2]));
    expect(g.constFloat([1, 2])).not.toBe(g.constInt64([1, 2]));
  });

  it('rejects bad names, unknown values, bad shapes and an output-less graph', () => {
    const g = new GraphBuilder('bad');
    const x = g.input('x', 'float32', [2]);
    expect(() => g.input('x', 'float32', [2])).toThrow(/value x: name already used/);
    expect(() => g.op1('Relu', [{ name: 'nope' }])).toThrow(/unknown value "nope"/);
    expect(() => g.op1('Relu', [new GraphBuilder('other').input('y', 'float32', [1])])).toThrow(DymuError);
    expect(() => g.initializer('w', new Float32Array(5), [2, 3])).toThrow(/initializer w: 5 values do not fit shape \[2, 3\]/);
    expect(() => g.input('z', 'float32', [-1])).toThrow(DymuError);
    expect(() => g.constInt64([0.5])).toThrow(DymuError);
    expect(() => g.toBytes()).toThrow(/graph bad: the graph has no outputs/);
    g.output(x, 'x', 'float32', [2]);
    expect(() => g.output(x, 'x', 'float32', [2])).toThrow(/output x: declared twice/);
  });
});
