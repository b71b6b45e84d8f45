import { availableParallelism } from 'node:os';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DymuError, readBytes } from '@dymu/core';
import type { OnnxModel } from './graph.ts';

export interface SessionOptions {
  /** Threads inside one operator; default: $DYMU_THREADS, else the machine's core count. */
  intraOpThreads?: number;
  /** Threads across operators (onnxruntime's default if unset). */
  interOpThreads?: number;
  /** Default 'all'. */
  graphOptimization?: 'all' | 'extended' | 'basic' | 'disabled';
  /**
   * onnxruntime's per-session CPU memory arena. Default off: a model run as dozens of sessions
   * (one per half-block) would keep one arena of activations per session (measured: 2.5 GB of RSS
   * for a ViT-B/16 at batch 8 with arenas, 0.45 GB without; bench/memory.ts).
   */
  memoryArena?: boolean;
  /**
   * Whether idle intra-op threads spin before sleeping (onnxruntime's default: true; ours: false).
   * Every session has its own threads, so when sessions run one after another (a decoder's layers,
   * a ViT's half-blocks) the previous one's spinning threads slow the next one down (2× measured
   * on 2 cores).
   */
  spinning?: boolean;
}

export type TensorType = 'float32' | 'int64' | 'int32' | 'bool';
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** Model inputs by name; `type` defaults from the array (a Uint8Array is 'bool'). */
export type Feeds = Record<string, { data: TensorData; dims: number[]; type?: TensorType }>;

export interface Outputs {
  [name: string]: { data: TensorData; dims: number[] };
}

export interface Session {
  readonly key: string;
  run(feeds: Feeds): Promise<Outputs>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

interface Counters {
  runMs: number;
  runs: number;
  createMs: number;
}

/**
 * onnxruntime sessions by key, each created once. The model bytes are built only when a key is
 * first asked for and are not kept, so the weights live only inside onnxruntime.
 */
export class SessionPool {
  private readonly options: InferenceSession.SessionOptions;
  private readonly sessions = new Map<string, Promise<PooledSession>>();
  private readonly counters: Counters = { runMs: 0, runs: 0, createMs: 0 };
  /** Where file tensors are read for the session being created; onnxruntime copies them, so one buffer serves every creation. */
  private scratch = new Uint8Array(0);
  /** Creations run one after another (they share `scratch`). */
  private creating: Promise<unknown> = Promise.resolve();

  constructor(options: SessionOptions = {}) {
    this.options = {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.intraOpThreads ?? defaultThreads(),
      ...(options.interOpThreads === undefined ? {} : { interOpNumThreads: options.interOpThreads }),
      graphOptimizationLevel: options.graphOptimization ?? 'all',
      enableCpuMemArena: options.memoryArena ?? false,
      ...(options.spinning === true ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
    };
  }

  /**
   * Creates (once) the session for `key` from a model built lazily by `build()`; concurrent calls
   * with the same key share one creation. A model's external initializers are read from their
   * files into one scratch buffer, reused by the next creation, that onnxruntime copies from: the
   * weights pass through memory once, not once per session.
   */
  get(key: string, build: () => Uint8Array | OnnxModel): Promise<Session> {
    let session = this.sessions.get(key);
    if (!session) {
      session = this.create(key, build);
      this.sessions.set(key, session);
      const created = session;
      created.catch(() => {
        if (this.sessions.get(key) === created) this.sessions.delete(key);
      });
    }
    return session;
  }

  /**
   * Wall time spent in onnxruntime: `runMs` over `runs` calls to run() and `createMs` creating
   * sessions, since the last reset; `sessions` held (or being created) now. Runs that overlap
   * are each counted in full.
   */
  stats(): { runMs: number; runs: number; sessions: number; createMs: number } {
    return { ...this.counters, sessions: this.sessions.size };
  }

  resetStats(): void {
    Object.assign(this.counters, { runMs: 0, runs: 0, createMs: 0 });
  }

  /** Releases every session (waiting for those being created); the pool can be used again. */
  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const result of await Promise.allSettled(sessions)) {
      if (result.status === 'fulfilled') await result.value.release();
    }
  }

  private create(key: string, build: () => Uint8Array | OnnxModel): Promise<PooledSession> {
    const created = this.creating.then(() => this.createNow(key, build));
    this.creating = created.catch(() => undefined);
    return created;
  }

  private async createNow(key: string, build: () => Uint8Array | OnnxModel): Promise<PooledSession> {
    const built = build();
    const model = built instanceof Uint8Array ? { bytes: built, external: [] } : built;
    const start = performance.now();
    try {
      const bytes = model.external.reduce((sum, { tensor }) => sum + tensor.byteLength, 0);
      if (this.scratch.length < bytes) this.scratch = new Uint8Array(bytes);
      let offset = 0;
      const externalData = model.external.map(({ path, tensor }) => {
        const data = readBytes(tensor.file, this.scratch.subarray(offset, offset + tensor.byteLength), tensor.offset);
        offset += tensor.byteLength;
        return { path, data };
      });
      return new PooledSession(key, await InferenceSession.create(model.bytes, { ...this.options, externalData }), this.counters);
    } catch (e) {
      throw new DymuError(`onnxruntime could not create the session: ${messageOf(e)}`, { field: `session ${key}`, cause: e });
    } finally {
      this.counters.createMs += performance.now() - start;
    }
  }
}

class PooledSession implements Session {
  constructor(
    readonly key: string,
    private readonly inner: InferenceSession,
    private readonly counters: Counters,
  ) {}

  get inputNames(): readonly string[] {
    return this.inner.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.inner.outputNames;
  }

  async run(feeds: Feeds): Promise<Outputs> {
    const start = performance.now();
    try {
      const results = await this.inner.run(toOrtFeeds(feeds));
      return Object.fromEntries(
        Object.entries(results).map(([name, t]) => [name, { data: t.data as TensorData, dims: [...t.dims] }]),
      );
    } catch (e) {
      throw new DymuError(`onnxruntime run failed with feeds ${describe(feeds)}: ${messageOf(e)}`, { field: `session ${this.key}`, cause: e });
    } finally {
      this.counters.runMs += performance.now() - start;
      this.counters.runs++;
    }
  }

  release(): Promise<void> {
    return this.inner.release();
  }
}

function toOrtFeeds(feeds: Feeds): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, f]) => [name, new Tensor(f.type ?? typeOf(f.data), f.data, f.dims)]),
  );
}

function typeOf(data: TensorData): TensorType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  return data instanceof Int32Array ? 'int32' : 'bool';
}

function describe(feeds: Feeds): string {
  return Object.entries(feeds)
    .map(([name, f]) => `${name} ${f.type ?? typeOf(f.data)}[${f.dims.join(', ')}]`)
    .join(', ');
}

function defaultThreads(): number {
  const env = process.env.DYMU_THREADS;
  if (env === undefined || env === '') return availableParallelism();
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1) throw new DymuError(`expected a positive integer, got "${env}"`, { field: 'DYMU_THREADS' });
  return n;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
