import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError, type FileTensor, sameShape, sha256 } from '@dymu/core';
import { contentFingerprint } from './content-hash.ts';
import { fromLlavaHf, isLlavaHfLayout } from './llava-hf.ts';
import { isObject, readJson } from './json.ts';
import { type DType, formatShape, isDType, readHeader, readTensor, type TensorInfo } from './safetensors.ts';
import { readTorchBin } from './torch-bin.ts';

/** The weight files of a model directory, in the order they are looked for: one file, else an index of shards. */
const LAYOUTS: { single: string; index: string; read: (file: string) => TensorInfo[] }[] = [
  { single: 'model.safetensors', index: 'model.safetensors.index.json', read: readHeader },
  { single: 'pytorch_model.bin', index: 'pytorch_model.bin.index.json', read: readTorchBin },
];

/**
 * The weights of a model directory as Hugging Face saves them: model.safetensors, or
 * model.safetensors.index.json and its shards; else (as older checkpoints ship) a torch.save
 * pytorch_model.bin, or pytorch_model.bin.index.json and its shards. Opening reads headers (a .bin's
 * pickled state dict) only; `get` reads one tensor.
 */
export class WeightStore {
  private constructor(
    readonly dir: string,
    /** The file that lists the tensors: model.safetensors, pytorch_model.bin or their index. */
    readonly source: string,
    private readonly tensors: Map<string, TensorInfo>,
    private readonly files: string[],
  ) {}

  /**
   * Opens a model directory. A llava-hf checkpoint (LlavaForConditionalGeneration,
   * LlavaOnevisionForConditionalGeneration) is seen under the names the loaders read: the original
   * LLaVA names for decoder and projector, `vision_model.…` for the tower (see llava-hf.ts).
   */
  static open(dir: string): WeightStore {
    const store = WeightStore.openAsStored(dir);
    return isLlavaHfLayout(store.tensors.keys()) ? store.renamed(fromLlavaHf) : store;
  }

  private static openAsStored(dir: string): WeightStore {
    for (const { single, index, read } of LAYOUTS) {
      const file = join(dir, single);
      if (existsSync(file)) return new WeightStore(dir, file, new Map(read(file).map((t) => [t.name, t])), [file]);
      if (existsSync(join(dir, index))) return WeightStore.openShards(dir, join(dir, index), read);
    }
    const names = LAYOUTS.flatMap((l) => [l.single, l.index]);
    throw new DymuError(`holds none of ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`, { file: dir });
  }

  private static openShards(dir: string, index: string, read: (file: string) => TensorInfo[]): WeightStore {
    const weightMap = readJson(index).weight_map;
    if (!isObject(weightMap) || !Object.values(weightMap).every((f) => typeof f === 'string')) {
      throw new DymuError('expected an object mapping tensor names to shard files', { file: index, field: 'weight_map' });
    }
    const shards = [...new Set(Object.values(weightMap) as string[])].sort();
    const tensors = new Map<string, TensorInfo>();
    for (const shard of shards) {
      const file = join(dir, shard);
      if (!existsSync(file)) throw new DymuError(`shard ${shard} is missing`, { file: index, field: 'weight_map' });
      for (const t of read(file)) tensors.set(t.name, t);
    }
    for (const [name, shard] of Object.entries(weightMap)) {
      if (tensors.get(name)?.file !== join(dir, shard as string)) throw new DymuError(`not found in shard ${shard}`, { file: index, field: name });
    }
    return new WeightStore(dir, index, tensors, shards.map((s) => join(dir, s)));
  }

  /** The same files seen under other names (errors still name each tensor as stored). */
  private renamed(rename: (name: string) => string): WeightStore {
    const tensors = new Map<string, TensorInfo>();
    for (const [name, info] of this.tensors) {
      const local = rename(name);
      if (tensors.has(local)) throw new DymuError(`both ${tensors.get(local)?.name} and ${name} would be read as ${local}`, { file: this.source, field: name });
      tensors.set(local, info);
    }
    return new WeightStore(this.dir, this.source, tensors, this.files);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  names(): string[] {
    return [...this.tensors.keys()].sort();
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new DymuError('no such tensor', { file: this.source, field: name });
    return info;
  }

  /** Checks that a tensor exists, has a readable dtype and (if given) the expected shape, without reading it. */
  check(name: string, expectedShape?: readonly number[]): TensorInfo {
    const info = this.info(name);
    if (expectedShape && !sameShape(info.shape, expectedShape)) {
      throw new DymuError(`expected shape ${formatShape(expectedShape)}, found ${formatShape(info.shape)}`, { file: info.file, field: info.name });
    }
    if (!isDType(info.dtype)) throw new DymuError(`dtype ${info.dtype} cannot be read as float32 (only F32, F16, BF16)`, { file: info.file, field: info.name });
    return info;
  }

  get(name: string, expectedShape?: readonly number[]): Float32Array {
    return readTensor(this.check(name, expectedShape));
  }

  /** Where a tensor's bytes lie (checked as `get` checks), for onnxruntime to read without a copy in JS. */
  file(name: string, expectedShape?: readonly number[]): FileTensor {
    const { file, offset, byteLength, dtype, shape } = this.check(name, expectedShape);
    return { file, offset, byteLength, dtype: dtype as DType, shape };
  }

  /** The weight files: model.safetensors / pytorch_model.bin, or the shards. */
  get weightFiles(): readonly string[] {
    return this.files;
  }

  /** Content fingerprint of the directory (weights' full hashes, cached by mtime; config and tokenizer files): see `contentFingerprint`. */
  contentFingerprint(cacheDir?: string): Promise<string> {
    return contentFingerprint(this.dir, this.files, cacheDir);
  }

  /** sha256 of the sorted (name, dtype, shape) list and each file's size: names the architecture and storage, not the values. */
  fingerprint(): string {
    const tensors = this.names().map((name) => {
      const { dtype, shape } = this.info(name);
      return [name, dtype, shape];
    });
    return sha256(JSON.stringify({ tensors, bytes: this.files.map((f) => statSync(f).size) }));
  }
}
