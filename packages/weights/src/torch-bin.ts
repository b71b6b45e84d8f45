import { statSync } from 'node:fs';
import { DymuError, numel, readBytes } from '@dymu/core';
import { formatShape, type TensorInfo } from './safetensors.ts';
import { type TorchTensor, parseStateDict } from './torch-pickle.ts';
import { readZipEntries, type ZipEntry } from './zip.ts';

/** The first byte of a pickle of protocol 2 or later, as the legacy format starts. */
const PICKLE_PROTO = 0x80;

/**
 * The tensors of a PyTorch checkpoint as torch.save writes it since torch 1.6 (pytorch_model.bin):
 * a zip of stored entries `<archive>/data.pkl` (the pickled state dict) and `<archive>/data/<key>`
 * (one storage each). Each tensor is a contiguous window of its storage's entry, so it is described
 * like a safetensors tensor: file, absolute byte offset, length. Tensors that share a storage
 * (views) point into the same bytes. Non-contiguous tensors are refused.
 */
export function readTorchBin(file: string): TensorInfo[] {
  const magic = readBytes(file, new Uint8Array(Math.min(1, statSync(file).size)), 0);
  if (magic[0] === PICKLE_PROTO) throw new DymuError("is a pickle, not a zip: torch.save's legacy format (before torch 1.6) is not read; save it again with a newer torch", { file });
  const entries = readZipEntries(file);
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) throw new DymuError(`expected one <archive>/data.pkl entry, found ${pickles.length}: not a torch.save checkpoint`, { file });
  const archive = pickles[0].slice(0, -'data.pkl'.length);
  const pickle = entries.get(pickles[0]) as ZipEntry;
  const state = parseStateDict(readBytes(file, new Uint8Array(pickle.size), pickle.offset), file);
  return [...state].map(([name, tensor]) => tensorInfo(file, name, tensor, entries.get(`${archive}data/${tensor.storage.key}`)));
}

function tensorInfo(file: string, name: string, t: TorchTensor, entry: ZipEntry | undefined): TensorInfo {
  const { key, dtype, elementSize, numel: storageNumel } = t.storage;
  if (!entry) throw new DymuError(`storage ${key} has no data/${key} entry in the archive`, { file, field: name });
  if (entry.size !== storageNumel * elementSize) {
    throw new DymuError(`storage ${key} holds ${entry.size} bytes, not ${storageNumel} × ${elementSize}`, { file, field: name });
  }
  if (!isContiguous(t.shape, t.stride)) {
    throw new DymuError(`strides ${formatShape(t.stride)} of shape ${formatShape(t.shape)} are not contiguous (re-save it with .contiguous())`, { file, field: name });
  }
  const count = numel(t.shape);
  if (t.storageOffset + count > storageNumel) {
    throw new DymuError(`elements [${t.storageOffset}, ${t.storageOffset + count}) run past storage ${key} of ${storageNumel}`, { file, field: name });
  }
  return { name, dtype, shape: t.shape, file, offset: entry.offset + t.storageOffset * elementSize, byteLength: count * elementSize };
}

/** C order, as torch's is_contiguous sees it: dimensions of size 1 may have any stride. */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  if (shape.includes(0)) return true;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}
