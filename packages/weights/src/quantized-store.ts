import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, defaultCacheDir, DymuError, Progress, type QuantizedWeight, sha256, type WeightFormat } from '@dymu/core';
import { type QuantizedCodes, quantizeInt4Blocks, quantizePerChannel } from './quantize.ts';
import type { WeightStore } from './weight-store.ts';

/** Block size along K of the int4 format (MatMulNBits' block_size). */
export const INT4_BLOCK = 32;
/** How each format quantises W [N, K]. */
const QUANTIZERS = {
  int8: (w: Float32Array, N: number, K: number) => quantizePerChannel(w, N, K),
  int4: (w: Float32Array, N: number, K: number) => quantizeInt4Blocks(w, N, K, INT4_BLOCK),
} as const;
/** Bump when the file layout or the quantisation rule changes: old cache entries are then ignored. */
const LAYOUT_VERSION = 1;
const ALIGN = 4096;

export interface QuantizeTarget {
  /** The tensor to quantise, [N, K]. */
  source: string;
  shape: [number, number];
}

interface IndexEntry {
  source: string;
  shape: [number, number];
  data: [offset: number, byteLength: number];
  scales: [offset: number, byteLength: number];
}

interface CacheIndex {
  key: string;
  tensors: IndexEntry[];
}

/**
 * Linear weights of a model directory quantised to `format` (int8 per channel or int4 block-wise,
 * see `QuantizedWeight`), computed while loading from the checkpoint's own tensors (F32 / F16 / BF16)
 * and kept in `<cache>/quantized/<key>/`: `weights.bin` with every tensor's codes and scales
 * (4 KiB-aligned) and `index.json`. The key hashes the directory's content fingerprint, the
 * format and the layout version, so replaced weights are quantised again; a later
 * load hands the cached file to onnxruntime as it is. Several processes may fill one key at once:
 * each writes its own temporary folder and the first rename wins.
 */
export async function quantizedWeights(
  store: WeightStore,
  targets: readonly QuantizeTarget[],
  format: Exclude<WeightFormat, 'float32'>,
  options: { cacheDir?: string } = {},
): Promise<Map<string, QuantizedWeight>> {
  const quantize = QUANTIZERS[format];
  if (quantize === undefined) throw new DymuError(`unknown weight format ${JSON.stringify(format)} (expected int8 or int4)`, { field: 'weights' });
  for (const t of targets) store.check(t.source, t.shape);
  const key = sha256(canonicalJson({ fingerprint: await store.contentFingerprint(options.cacheDir), format, block: INT4_BLOCK, version: LAYOUT_VERSION }));
  const dir = join(options.cacheDir ?? defaultCacheDir(), 'quantized', key.slice(0, 32));
  const wanted = targets.map((t) => canonicalJson([t.source, t.shape])).join('\n');
  let index = readIndex(dir, key);
  if (!index || index.tensors.map((t) => canonicalJson([t.source, t.shape])).join('\n') !== wanted) {
    index = writeCache(store, targets, quantize, dir, key, new Progress(`quantising ${store.dir} to ${format}`, targets.length, 'tensors'));
  }
  const file = join(dir, 'weights.bin');
  return new Map(index.tensors.map((t) => [t.source, weightOf(format, t, file)]));
}

function weightOf(format: Exclude<WeightFormat, 'float32'>, t: IndexEntry, file: string): QuantizedWeight {
  const [N, K] = t.shape;
  const scales = { file, offset: t.scales[0], byteLength: t.scales[1], dtype: 'F32', shape: [t.scales[1] / 4] } as const;
  if (format === 'int8') return { format, data: { file, offset: t.data[0], byteLength: t.data[1], dtype: 'I8', shape: [K, N] }, scales };
  const blocks = Math.ceil(K / INT4_BLOCK);
  return { format, blockSize: INT4_BLOCK, data: { file, offset: t.data[0], byteLength: t.data[1], dtype: 'U8', shape: [N, blocks, INT4_BLOCK / 2] }, scales };
}

function readIndex(dir: string, key: string): CacheIndex | undefined {
  try {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as CacheIndex;
    return index.key === key && Array.isArray(index.tensors) ? index : undefined;
  } catch {
    return undefined; // absent or damaged: quantise again
  }
}

function writeCache(store: WeightStore, targets: readonly QuantizeTarget[], quantize: (w: Float32Array, N: number, K: number) => QuantizedCodes, dir: string, key: string, progress: Progress): CacheIndex {
  const temporary = `${dir}.${hostname()}-${process.pid}-${Date.now()}.tmp`;
  mkdirSync(temporary, { recursive: true });
  const tensors: IndexEntry[] = [];
  const fd = openSync(join(temporary, 'weights.bin'), 'w');
  try {
    let offset = 0;
    const put = (bytes: Uint8Array): [number, number] => {
      const start = Math.ceil(offset / ALIGN) * ALIGN;
      writeSync(fd, bytes, 0, bytes.length, start);
      offset = start + bytes.length;
      return [start, bytes.length];
    };
    for (const t of targets) {
      const q = quantize(store.get(t.source, t.shape), t.shape[0], t.shape[1]);
      tensors.push({ source: t.source, shape: t.shape, data: put(new Uint8Array(q.data.buffer)), scales: put(new Uint8Array(q.scales.buffer)) });
      progress.tick();
    }
  } finally {
    closeSync(fd);
  }
  progress.finish();
  const index: CacheIndex = { key, tensors };
  writeFileSync(join(temporary, 'index.json'), JSON.stringify(index));
  rmSync(dir, { recursive: true, force: true }); // an entry for other tensors of the same weights, or a damaged one
  try {
    renameSync(temporary, dir);
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(join(dir, 'index.json'))) throw e; // another process finished the same entry first: use it
  }
  return index;
}
