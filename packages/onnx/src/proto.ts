import { DymuError } from '@dymu/core';

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/**
 * Writer for the protocol buffers wire format: just what the ONNX messages need. A message is a
 * list of chunks; `bytes()` and `message()` append the given data by reference, so large tensors
 * are copied once, by `finish()`. A writer passed to `message()` may still be appended to, but
 * what it holds at that moment is what the parent gets.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private chunkBytes = 0;

  get length(): number {
    return this.chunkBytes + this.pending.length;
  }

  /** int32 / int64 / enum / bool field. Negative values take 10 bytes (two's complement, 64 bits). */
  varint(field: number, value: number | bigint): this {
    pushVarint(this.pending, (field << 3) | VARINT);
    pushVarint(this.pending, value);
    return this;
  }

  float(field: number, value: number): this {
    pushVarint(this.pending, (field << 3) | FIXED32);
    pushFloat(this.pending, value);
    return this;
  }

  /** Length-delimited bytes, referenced (not copied) until `finish()`. */
  bytes(field: number, data: Uint8Array): this {
    this.lengthDelimited(field, data.length);
    this.append(data);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, sub: ProtoWriter): this {
    this.lengthDelimited(field, sub.length);
    sub.flush();
    for (const chunk of sub.chunks) this.append(chunk);
    return this;
  }

  /** Packed repeated varints (int32 / int64); nothing is written for an empty list. */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const body: number[] = [];
    for (const v of values) pushVarint(body, v);
    return this.packed(field, body);
  }

  /** Packed repeated floats; nothing is written for an empty list. */
  packedFloats(field: number, values: readonly number[]): this {
    const body: number[] = [];
    for (const v of values) pushFloat(body, v);
    return this.packed(field, body);
  }

  /** The message as one contiguous buffer. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.chunkBytes);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private packed(field: number, body: number[]): this {
    if (body.length === 0) return this;
    this.lengthDelimited(field, body.length);
    for (const b of body) this.pending.push(b);
    return this;
  }

  private lengthDelimited(field: number, length: number): void {
    pushVarint(this.pending, (field << 3) | LENGTH_DELIMITED);
    pushVarint(this.pending, length);
  }

  private append(chunk: Uint8Array): void {
    this.flush();
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.chunkBytes += this.pending.length;
    this.pending = [];
  }
}

function pushVarint(out: number[], value: number | bigint): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new DymuError(`protobuf varint: ${value} is not a safe integer`);
    if (value >= 0) {
      for (; value >= 0x80; value = Math.floor(value / 0x80)) out.push((value % 0x80) | 0x80);
      out.push(value);
      return;
    }
  }
  let u = BigInt.asUintN(64, BigInt(value));
  for (; u >= 0x80n; u >>= 7n) out.push(Number(u & 0x7fn) | 0x80);
  out.push(Number(u));
}

const floatView = new DataView(new ArrayBuffer(4));

function pushFloat(out: number[], value: number): void {
  floatView.setFloat32(0, value, true);
  for (let i = 0; i < 4; i++) out.push(floatView.getUint8(i));
}
