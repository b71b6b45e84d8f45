import { afterEach, describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import { GraphBuilder, SessionPool } from '../src/index.ts';

/** y = x·2 on x: [n]. */
function double(): Uint8Array {
  const g = new GraphBuilder('double');
  const x = g.input('x', 'float32', ['n']);
  g.output(g.op1('Mul', [x, g.constFloat([2], [])]), 'y', 'float32', ['n']);
  return g.toBytes();
}

/** MatMul of a [2, 3] initializer by itself: fails shape inference when onnxruntime loads it. */
function broken(): Uint8Array {
  const g = new GraphBuilder('broken');
  const w = g.initializer('w', new Float32Array(6), [2, 3]);
  g.output(g.op1('MatMul', [w, w]), 'y', 'float32', [2, 3]);
  return g.toBytes();
}

let pool = new SessionPool({ intraOpThreads: 1 });
afterEach(async () => {
  await pool.release();
  pool = new SessionPool({ intraOpThreads: 1 });
});

describe('SessionPool', () => {
  it('creates a key once under concurrent get()', async () => {
    let builds = 0;
    const build = () => (builds++, double());
    const sessions = await Promise.all([1, 2, 3, 4, 5].map(() => pool.get('double', build)));
    expect(builds).toBe(1);
    expect(new Set(sessions).size).toBe(1);
    expect(sessions[0]).toMatchObject({ key: 'double', inputNames: ['x'], outputNames: ['y'] });
    await pool.get('other', double);
    expect(builds).toBe(1);
    expect(pool.stats().sessions).toBe(2);
  });

  it('counts runs and their time, until reset', async () => {
    const session = await pool.get('double', double);
    expect(pool.stats().createMs).toBeGreaterThan(0);
    const x = { data: Float32Array.from([1, -2, 3]), dims: [3] };
    const outs = await Promise.all([session.run({ x }), session.run({ x }), session.run({ x })]);
    expect([...outs[2].y.data]).toEqual([2, -4, 6]);
    const stats = pool.stats();
    expect(stats.runs).toBe(3);
    expect(stats.runMs).toBeGreaterThan(0);
    pool.resetStats();
    expect(pool.stats()).toEqual({ runMs: 0, runs: 0, createMs: 0, sessions: 1 });
  });

  it('feeds int64, int32 and bool tensors by their array type', async () => {
    const g = new GraphBuilder('types');
    const ids = g.input('ids', 'int64', ['n']), counts = g.input('counts', 'int32', ['n']), mask = g.input('mask', 'bool', ['n']);
    g.output(g.op1('Add', [ids, ids]), 'ids2', 'int64', ['n']);
    g.output(g.op1('Add', [counts, counts]), 'counts2', 'int32', ['n']);
    g.output(g.op1('Not', [mask]), 'unmask', 'bool', ['n']);
    const session = await pool.get('types', () => g.toBytes());
    const out = await session.run({
      ids: { data: BigInt64Array.from([1n, -(2n ** 40n)]), dims: [2] },
      counts: { data: Int32Array.from([3, -4]), dims: [2] },
      mask: { data: Uint8Array.from([1, 0]), dims: [2] },
    });
    expect(out.ids2.data).toEqual(BigInt64Array.from([2n, -(2n ** 41n)]));
    expect(out.counts2.data).toEqual(Int32Array.from([6, -8]));
    expect([...out.unmask.data]).toEqual([0, 1]);
  });

  it('wraps onnxruntime errors in a DymuError naming the key (and the feeds), and retries a failed key', async () => {
    let builds = 0;
    const get = () => pool.get('vit/broken', () => (builds++, broken()));
    const error = await get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DymuError);
    expect((error as Error).message).toMatch(/^session vit\/broken: onnxruntime could not create the session: .*MatMul/);
    await expect(get()).rejects.toThrow(DymuError);
    expect(builds).toBe(2);
    expect(pool.stats().sessions).toBe(0);

    const session = await pool.get('double', double);
    await expect(session.run({ x: { data: new Int32Array(2), dims: [2] } })).rejects.toThrow(
      /^session double: onnxruntime run failed with feeds x int32\[2\]: /,
    );
    await expect(session.run({ x: { data: new Float32Array(2), dims: [3] } })).rejects.toThrow(/feeds x float32\[3\]/);
  });

  it('builds again after release()', async () => {
    let builds = 0;
    await pool.get('double', () => (builds++, double()));
    await pool.release();
    expect(pool.stats().sessions).toBe(0);
    await pool.get('double', () => (builds++, double()));
    expect(builds).toBe(2);
  });

  it('runs sessions whose idle threads spin (onnxruntime default; ours is off)', async () => {
    const quiet = new SessionPool({ spinning: true });
    try {
      const session = await quiet.get('double', double);
      expect([...(await session.run({ x: { data: Float32Array.from([1, 2]), dims: [2] } })).y.data]).toEqual([2, 4]);
    } finally {
      await quiet.release();
    }
  });

  it('takes its default thread count from DYMU_THREADS', () => {
    const saved = process.env.DYMU_THREADS;
    try {
      process.env.DYMU_THREADS = 'many';
      expect(() => new SessionPool()).toThrow(/DYMU_THREADS: expected a positive integer, got "many"/);
      process.env.DYMU_THREADS = '2';
      expect(() => new SessionPool()).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.DYMU_THREADS;
      else process.env.DYMU_THREADS = saved;
    }
  });
});
