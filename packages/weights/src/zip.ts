import { statSync } from 'node:fs';
import { DymuError, readBytes } from '@dymu/core';

/** One entry of a zip file: where its (stored, uncompressed) bytes lie. */
export interface ZipEntry {
  name: string;
  /** Absolute byte offset of the entry's data (after its local header). */
  offset: number;
  size: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const STORED = 0;
/** The end record (22 bytes) plus the longest comment it may carry. */
const MAX_TAIL = 22 + 0xffff;

/**
 * The entries of a zip file, from its central directory (ZIP64 included: torch.save writes it for
 * checkpoints over 4 GiB). Only stored (uncompressed) entries are accepted, since their bytes are
 * read in place; nothing is decompressed and no data is read here.
 */
export function readZipEntries(file: string): Map<string, ZipEntry> {
  const size = statSync(file).size;
  const tailLength = Math.min(size, MAX_TAIL);
  const tail = readBytes(file, Buffer.alloc(tailLength), size - tailLength) as Buffer;
  let end = -1;
  for (let i = tailLength - 22; i >= 0 && end < 0; i--) if (tail.readUInt32LE(i) === EOCD) end = i;
  if (end < 0) throw new DymuError('no zip end-of-central-directory record: not a zip file, or truncated', { file });
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = end - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== EOCD64_LOCATOR) throw new DymuError('ZIP64 end-of-central-directory locator missing', { file });
    const record = readBytes(file, Buffer.alloc(56), safeNumber(tail.readBigUInt64LE(locatorAt + 8), file)) as Buffer;
    if (record.readUInt32LE(0) !== EOCD64) throw new DymuError('ZIP64 end-of-central-directory record missing', { file });
    count = safeNumber(record.readBigUInt64LE(32), file);
    directorySize = safeNumber(record.readBigUInt64LE(40), file);
    directoryOffset = safeNumber(record.readBigUInt64LE(48), file);
  }
  if (directoryOffset + directorySize > size) throw new DymuError(`central directory [${directoryOffset}, +${directorySize}] runs past the ${size} bytes of the file (truncated?)`, { file });
  const directory = readBytes(file, Buffer.alloc(directorySize), directoryOffset) as Buffer;
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directorySize || directory.readUInt32LE(at) !== CENTRAL) throw new DymuError(`central directory entry ${i} is damaged`, { file });
    const method = directory.readUInt16LE(at + 10);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    const zip64 = zip64Fields(directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    const wide = (value: number) => (value === 0xffffffff ? safeNumber(zip64.shift() ?? missing(file, name), file) : value);
    // The ZIP64 extra field holds, in this order, only the fields whose 32-bit slots are 0xFFFFFFFF.
    const uncompressed = wide(directory.readUInt32LE(at + 24));
    const compressed = wide(directory.readUInt32LE(at + 20));
    const localOffset = wide(directory.readUInt32LE(at + 42));
    if (method !== STORED || compressed !== uncompressed) {
      throw new DymuError(`zip entry ${name} is compressed (method ${method}); only stored entries can be read in place`, { file });
    }
    entries.set(name, { name, offset: dataOffset(file, name, localOffset, size), size: uncompressed });
    at += 46 + nameLength + extraLength + commentLength;
  }
  for (const e of entries.values()) {
    if (e.offset + e.size > size) throw new DymuError(`zip entry ${e.name} runs past the ${size} bytes of the file (truncated?)`, { file });
  }
  return entries;
}

function dataOffset(file: string, name: string, localOffset: number, size: number): number {
  if (localOffset + 30 > size) throw new DymuError(`local header of zip entry ${name} lies past the end of the file (truncated?)`, { file });
  const header = readBytes(file, Buffer.alloc(30), localOffset) as Buffer;
  if (header.readUInt32LE(0) !== LOCAL) throw new DymuError(`zip entry ${name} has no local header at byte ${localOffset}`, { file });
  return localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

function zip64Fields(extra: Buffer): bigint[] {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      return Array.from({ length: Math.floor(Math.min(length, extra.length - at - 4) / 8) }, (_, i) => extra.readBigUInt64LE(at + 4 + 8 * i));
    }
    at += 4 + length;
  }
  return [];
}

function missing(file: string, name: string): never {
  throw new DymuError(`zip entry ${name} lacks the ZIP64 field its central directory record refers to`, { file });
}

function safeNumber(value: bigint, file: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new DymuError(`zip offset or size ${value} is too large`, { file });
  return Number(value);
}
