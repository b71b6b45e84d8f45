import { closeSync, openSync, readSync } from 'node:fs';
import { DymuError } from './errors.ts';

/**
 * A tensor whose little-endian bytes lie in a file (a safetensors entry, a cached quantised
 * blob): handed to onnxruntime as it is, so the weights never pass through JS arrays.
 */
export interface FileTensor {
  readonly file: string;
  /** Absolute byte offset of the data. */
  readonly offset: number;
  readonly byteLength: number;
  readonly dtype: 'F32' | 'F16' | 'BF16' | 'U8' | 'I8';
  readonly shape: readonly number[];
}

export function isFileTensor(value: object): value is FileTensor {
  return 'file' in value && 'offset' in value;
}

/** Reads `dst.length` bytes of `file` from `position`, or fails naming the file. */
export function readBytes(file: string, dst: Uint8Array, position: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    for (let done = 0; done < dst.length; ) {
      const got = readSync(fd, dst, done, dst.length - done, position + done);
      if (got === 0) throw new DymuError(`file ends before byte ${position + dst.length}`, { file });
      done += got;
    }
  } finally {
    closeSync(fd);
  }
  return dst;
}
