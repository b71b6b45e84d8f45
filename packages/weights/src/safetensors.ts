import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError, numel, readBytes } from '@dymu/core';
import { decodeHalf, encodeHalf } from './half.ts';
import { writeJson } from './json.ts';

/** The dtypes this package reads and writes (others may be listed in a header, and fail only when read). */
export type DType = 'F32' | 'F16' | 'BF16';

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  file: string;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  byteLength: number;
}

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A tensor to write whose data may be made only when written, so a large model never sits in memory whole. */
export interface TensorSource {
  name: string;
  shape: number[];
  data: Float32Array | (() => Float32Array);
}

const BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};
const MAX_HEADER_BYTES = 100_000_000;

export function isDType(dtype: string): dtype is DType {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The tensors listed in a .safetensors header (the `__metadata__` entry is skipped). As in the
 * reference implementation, the tensors' data_offsets must tile the data bytes exactly: no two
 * overlap, no byte between them or after the last belongs to no tensor.
 */
export function readHeader(file: string): TensorInfo[] {
  const size = statSync(file).size;
  const prefix = Buffer.alloc(8);
  if (size < 8) throw new DymuError(`${size} bytes is too short for a safetensors file`, { file });
  readBytes(file, prefix, 0);
  const n = Number(prefix.readBigUInt64LE(0));
  if (n > size - 8 || n > MAX_HEADER_BYTES) throw new DymuError(`header length ${n} does not fit a file of ${size} bytes`, { file });
  const text = Buffer.alloc(n);
  readBytes(file, text, 8);
  let header: unknown;
  try {
    header = JSON.parse(text.toString('utf8'));
  } catch (cause) {
    throw new DymuError(`header is not valid JSON: ${(cause as Error).message}`, { file, cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new DymuError('header is not a JSON object', { file });
  const tensors = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, entry]) => parseEntry(file, name, entry, 8 + n, size));
  checkTiling(file, tensors, 8 + n, size);
  return tensors;
}

/** Refuses overlapping data_offsets and data bytes no tensor owns (a gap, or bytes after the last tensor). */
function checkTiling(file: string, tensors: readonly TensorInfo[], dataStart: number, fileSize: number): void {
  const range = (t: TensorInfo) => `[${t.offset - dataStart},${t.offset - dataStart + t.byteLength}]`;
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let end = dataStart;
  let last: TensorInfo | undefined;
  for (const t of byOffset) {
    if (last !== undefined && t.offset < end) {
      throw new DymuError(`data_offsets ${range(t)} overlap those of ${last.name} ${range(last)}`, { file, field: t.name });
    }
    if (t.offset > end) {
      const where = last === undefined ? 'before it' : `between ${last.name} and it`;
      throw new DymuError(`data bytes [${end - dataStart},${t.offset - dataStart}] ${where} belong to no tensor`, { file, field: t.name });
    }
    end = t.offset + t.byteLength;
    last = t;
  }
  if (end < fileSize) {
    const after = last === undefined ? 'in a file without tensors' : `after the last tensor, ${last.name} ${range(last)},`;
    throw new DymuError(`data bytes [${end - dataStart},${fileSize - dataStart}] ${after} belong to no tensor`, { file });
  }
}

function parseEntry(file: string, name: string, entry: unknown, dataStart: number, fileSize: number): TensorInfo {
  const bad = (message: string) => new DymuError(message, { file, field: name });
  const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string') throw bad(`dtype ${JSON.stringify(dtype)} is not a string`);
  if (!isCountList(shape)) throw bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!isCountList(offsets) || offsets.length !== 2 || offsets[0] > offsets[1] || dataStart + offsets[1] > fileSize) {
    throw bad(`data_offsets ${JSON.stringify(offsets)} do not lie within the ${fileSize - dataStart} data bytes`);
  }
  const byteLength = offsets[1] - offsets[0];
  const bytes = BYTES[dtype];
  if (bytes !== undefined && byteLength !== bytes * numel(shape)) throw bad(`${byteLength} bytes cannot hold ${dtype} ${formatShape(shape)}`);
  return { name, dtype, shape, file, offset: dataStart + offsets[0], byteLength };
}

function isCountList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v) && v >= 0);
}

/** Reads one tensor's bytes (and nothing else) as float32; `info.dtype` must be a DType. */
export function readTensor(info: TensorInfo): Float32Array {
  const n = numel(info.shape);
  if (info.dtype === 'F32') {
    const out = new Float32Array(n);
    readBytes(info.file, new Uint8Array(out.buffer), info.offset);
    return out;
  }
  const half = new Uint16Array(n);
  readBytes(info.file, new Uint8Array(half.buffer), info.offset);
  return decodeHalf(half, info.dtype as 'F16' | 'BF16');
}

/**
 * Writes tensors (float32 in memory) as one .safetensors file in `dtype` (default F32): 8-byte
 * little-endian header length, the JSON header padded with spaces to a multiple of 8 as Hugging
 * Face does, then each tensor's data in order.
 */
export function writeSafetensors(
  path: string,
  tensors: TensorSource[],
  opts: { dtype?: DType; metadata?: Record<string, string> } = {},
): void {
  const dtype = opts.dtype ?? 'F32';
  assertUnique(path, tensors);
  const header: Record<string, unknown> = opts.metadata ? { __metadata__: opts.metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    const end = offset + byteSize(t.shape, dtype);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const json = JSON.stringify(header);
  const text = Buffer.from(json + ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, prefix);
    writeAll(fd, text);
    for (const t of tensors) writeAll(fd, encode(path, t, dtype));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes tensors as Hugging Face shards: model-00001-of-0000N.safetensors ..., each holding
 * tensors in order up to `maxShardBytes` (a bigger tensor gets a shard of its own), and
 * model.safetensors.index.json mapping every tensor to its shard.
 */
export function writeShardedSafetensors(dir: string, tensors: TensorSource[], opts: { maxShardBytes: number; dtype?: DType }): void {
  const dtype = opts.dtype ?? 'F32';
  if (!(opts.maxShardBytes > 0)) throw new DymuError(`maxShardBytes must be positive, got ${opts.maxShardBytes}`, { file: dir });
  assertUnique(dir, tensors);
  const shards: TensorSource[][] = [];
  let size = 0;
  for (const t of tensors) {
    const bytes = byteSize(t.shape, dtype);
    if (shards.length === 0 || (size > 0 && size + bytes > opts.maxShardBytes)) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(t);
    size += bytes;
  }
  mkdirSync(dir, { recursive: true });
  const pad = (i: number) => String(i).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, i) => {
    const file = `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
    writeSafetensors(join(dir, file), shard, { dtype, metadata: { format: 'pt' } });
    for (const t of shard) weightMap[t.name] = file;
  });
  const totalSize = tensors.reduce((sum, t) => sum + byteSize(t.shape, dtype), 0);
  writeJson(join(dir, 'model.safetensors.index.json'), { metadata: { total_size: totalSize }, weight_map: weightMap });
}

function byteSize(shape: readonly number[], dtype: DType): number {
  return numel(shape) * BYTES[dtype];
}

function assertUnique(file: string, tensors: TensorSource[]): void {
  const seen = new Set<string>(['__metadata__']);
  for (const t of tensors) {
    if (seen.has(t.name)) throw new DymuError(`tensor name used twice (or reserved)`, { file, field: t.name });
    seen.add(t.name);
  }
}

function encode(file: string, t: TensorSource, dtype: DType): Uint8Array {
  const data = typeof t.data === 'function' ? t.data() : t.data;
  if (data.length !== numel(t.shape)) {
    throw new DymuError(`${data.length} values do not fit shape ${formatShape(t.shape)}`, { file, field: t.name });
  }
  const out = dtype === 'F32' ? data : encodeHalf(data, dtype);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}
