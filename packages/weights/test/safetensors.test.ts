import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import { decodeHalf, encodeHalf, type NamedTensor, WeightStore, writeSafetensors, writeShardedSafetensors } from '../src/index.ts';
import { readHeader } from '../src/safetensors.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-safetensors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir);
  return dir;
};

function modelDir(tensors: NamedTensor[], opts: { dtype?: 'F32' | 'F16' | 'BF16' } = {}): string {
  const dir = newDir();
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { ...opts, metadata: { format: 'pt' } });
  return dir;
}

const bits32 = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const hex = (a: ArrayLike<number>) => Array.from(a, (v) => `0x${v.toString(16).padStart(4, '0')}`);

describe('F16 / BF16 conversion', () => {
  // [float32 value, expected bits]
  const f16: [number, number][] = [
    [1, 0x3c00], [-2.5, 0xc100], [0.1, 0x2e66], [1 / 3, 0x3555], [-0, 0x8000],
    [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00], [-1e6, 0xfc00], // 65520 ties to the even (Inf)
    [2 ** -14, 0x0400], [2 ** -24, 0x0001], [1023 * 2 ** -24, 0x03ff], [1023.5 * 2 ** -24, 0x0400], // subnormals, carry into normal
    [2 ** -25, 0x0000], [0.75 * 2 ** -24, 0x0001], [1.5 * 2 ** -24, 0x0002], [2 ** -30, 0x0000],
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 + 2 ** -11 + 2 ** -20, 0x3c01], // ties to even, and just above a tie
    [Infinity, 0x7c00], [-Infinity, 0xfc00], [NaN, 0x7e00],
  ];
  const bf16: [number, number][] = [
    [1, 0x3f80], [-2.5, 0xc020], [0.1, 0x3dcd], [-0, 0x8000], [65504, 0x4780],
    [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82], [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [3.4028234663852886e38, 0x7f80], [1e-40, 0x0001], [Infinity, 0x7f80], [-Infinity, 0xff80], [NaN, 0x7fc0],
  ];

  it('encodes float32 to F16 bits, rounding to nearest even', () => {
    expect(hex(encodeHalf(Float32Array.from(f16, ([v]) => v), 'F16'))).toEqual(hex(f16.map(([, b]) => b)));
  });

  it('encodes float32 to BF16 bits, rounding to nearest even', () => {
    expect(hex(encodeHalf(Float32Array.from(bf16, ([v]) => v), 'BF16'))).toEqual(hex(bf16.map(([, b]) => b)));
  });

  it('decodes F16 and BF16 bits', () => {
    const h = Array.from(decodeHalf(Uint16Array.of(0x0001, 0x03ff, 0x0400, 0x3555, 0x7bff, 0xfc00, 0x8000, 0x7e00), 'F16'));
    expect(h.slice(0, 7)).toEqual([2 ** -24, 1023 * 2 ** -24, 2 ** -14, 0.333251953125, 65504, -Infinity, -0]);
    expect(Object.is(h[6], -0)).toBe(true);
    expect(h[7]).toBeNaN();
    const b = Array.from(decodeHalf(Uint16Array.of(0x3f81, 0xc020, 0xff80, 0x7fc0), 'BF16'));
    expect(b.slice(0, 3)).toEqual([1.0078125, -2.5, -Infinity]);
    expect(b[3]).toBeNaN();
  });

  it('decodes every finite F16 back to the value it encodes from', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(hex(encodeHalf(decodeHalf(all, 'F16'), 'F16'))).toEqual(hex(all));
  });
});

describe('safetensors files', () => {
  const tensors: NamedTensor[] = [
    { name: 'w', shape: [2, 3], data: Float32Array.of(1, -2.5, 3e-45, 3.4e38, -0, NaN) },
    { name: 'scalar', shape: [], data: Float32Array.of(2.6592) },
    { name: 'b', shape: [3], data: Float32Array.of(0.1, Infinity, -Infinity) },
  ];

  it('round-trips float32 exactly, bit for bit', () => {
    const store = WeightStore.open(modelDir(tensors));
    expect(store.names()).toEqual(['b', 'scalar', 'w']);
    for (const t of tensors) {
      expect(store.info(t.name).dtype).toBe('F32');
      expect(bits32(store.get(t.name, t.shape))).toEqual(bits32(t.data));
    }
  });

  it('writes the Hugging Face layout: u64 length, JSON padded with spaces to 8 bytes, offsets in order', () => {
    const dir = modelDir(tensors);
    const bytes = readFileSync(join(dir, 'model.safetensors'));
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const text = bytes.subarray(8, 8 + n).toString('utf8');
    expect(text).toMatch(/} *$/);
    const header = JSON.parse(text);
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.scalar).toEqual({ dtype: 'F32', shape: [], data_offsets: [24, 28] });
    expect(header.b).toEqual({ dtype: 'F32', shape: [3], data_offsets: [28, 40] });
    expect(bytes.length).toBe(8 + n + 40);
    expect(bytes.readFloatLE(8 + n + 24)).toBeCloseTo(2.6592, 6);
  });

  it('stores F16 and BF16 as their rounded bits and reads them back as float32', () => {
    const data = Float32Array.of(1, -2.5, 65520, 1 + 3 * 2 ** -11, 2 ** -25, 0.1);
    for (const dtype of ['F16', 'BF16'] as const) {
      const store = WeightStore.open(modelDir([{ name: 'x', shape: [6], data }], { dtype }));
      const info = store.info('x');
      expect([info.dtype, info.byteLength]).toEqual([dtype, 12]);
      const raw = readFileSync(info.file).subarray(info.offset, info.offset + info.byteLength);
      expect(hex(new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)))).toEqual(hex(encodeHalf(data, dtype)));
      expect(Array.from(store.get('x'))).toEqual(Array.from(decodeHalf(encodeHalf(data, dtype), dtype)));
    }
  });

  it('reads a hand-written file: unpadded header, absolute offsets, any dtype listed but only floats read', () => {
    const header = JSON.stringify({
      a: { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] },
      h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
      'vision_model.embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data_offsets: [12, 28] },
      __metadata__: { format: 'pt' },
    });
    const data = Buffer.alloc(28);
    data.writeFloatLE(1.5, 0);
    data.writeFloatLE(-2, 4);
    data.writeUInt16LE(0x3c00, 8);
    data.writeUInt16LE(0xc100, 10);
    data.writeBigInt64LE(1n, 20);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const dir = newDir();
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, Buffer.concat([length, Buffer.from(header), data]));

    const store = WeightStore.open(dir);
    expect(store.names()).toEqual(['a', 'h', 'vision_model.embeddings.position_ids']);
    expect(store.info('h')).toEqual({ name: 'h', dtype: 'F16', shape: [2], file, offset: 8 + header.length + 8, byteLength: 4 });
    expect(Array.from(store.get('a', [1, 2]))).toEqual([1.5, -2]);
    expect(Array.from(store.get('h'))).toEqual([1, -2.5]);
    expect(() => store.get('vision_model.embeddings.position_ids')).toThrow(
      `${file}: vision_model.embeddings.position_ids: dtype I64 cannot be read as float32`,
    );
  });

  it('rejects a header whose offsets leave the file, naming file and tensor', () => {
    const dir = modelDir([{ name: 'x', shape: [2], data: Float32Array.of(1, 2) }]);
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, -4));
    expect(() => WeightStore.open(dir)).toThrow(`${file}: x: data_offsets [0,8] do not lie within the 4 data bytes`);
  });

  /** A hand-written file: the header as given, then `dataBytes` zero bytes. */
  function handWritten(header: Record<string, unknown>, dataBytes: number): string {
    const text = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    const file = join(newDir(), 'model.safetensors');
    writeFileSync(file, Buffer.concat([length, text, Buffer.alloc(dataBytes)]));
    return file;
  }
  const f32 = (start: number, end: number) => ({ dtype: 'F32', shape: [(end - start) / 4], data_offsets: [start, end] });

  it('rejects overlapping data_offsets, naming both tensors', () => {
    const file = handWritten({ a: f32(0, 16), b: f32(8, 24) }, 24);
    let error: unknown;
    try {
      readHeader(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DymuError);
    expect({ ...(error as DymuError), message: (error as DymuError).message }).toMatchObject({
      file,
      field: 'b',
      message: `${file}: b: data_offsets [8,24] overlap those of a [0,16]`,
    });
    const same = handWritten({ 'layers.0.weight': f32(0, 8), 'layers.1.weight': f32(0, 8) }, 8);
    expect(() => WeightStore.open(dirname(same))).toThrow(`${same}: layers.1.weight: data_offsets [0,8] overlap those of layers.0.weight [0,8]`);
  });

  it('rejects data bytes that belong to no tensor: before the first, between two, after the last', () => {
    const before = handWritten({ a: f32(4, 12) }, 12);
    expect(() => readHeader(before)).toThrow(`${before}: a: data bytes [0,4] before it belong to no tensor`);
    const between = handWritten({ b: f32(12, 16), a: f32(0, 8) }, 16);
    expect(() => readHeader(between)).toThrow(`${between}: b: data bytes [8,12] between a and it belong to no tensor`);
    const after = handWritten({ a: f32(0, 8), __metadata__: { format: 'pt' } }, 12);
    expect(() => readHeader(after)).toThrow(`${after}: data bytes [8,12] after the last tensor, a [0,8], belong to no tensor`);
    const empty = handWritten({}, 4);
    expect(() => readHeader(empty)).toThrow(`${empty}: data bytes [0,4] in a file without tensors belong to no tensor`);
  });

  it('accepts data_offsets that tile the data in any header order, empty tensors included', () => {
    const file = handWritten({ c: f32(12, 20), z: { dtype: 'F32', shape: [0], data_offsets: [8, 8] }, a: f32(0, 8), b: f32(8, 12) }, 20);
    expect(readHeader(file).map((t) => [t.name, t.byteLength])).toEqual([['c', 8], ['z', 0], ['a', 8], ['b', 4]]);
  });

  it('rejects data_offsets whose length is not the shape times the dtype size', () => {
    const file = handWritten({ a: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 16] } }, 16);
    expect(() => readHeader(file)).toThrow(`${file}: a: 16 bytes cannot hold F16 [2, 2]`);
  });

  it('refuses data that does not fit its shape, and repeated names', () => {
    const file = join(root, 'bad.safetensors');
    expect(() => writeSafetensors(file, [{ name: 'x', shape: [2, 2], data: new Float32Array(3) }])).toThrow(`${file}: x: 3 values do not fit shape [2, 2]`);
    const x = { name: 'x', shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors(file, [x, x])).toThrow(`${file}: x: tensor name used twice`);
  });
});

describe('WeightStore', () => {
  const tensors: NamedTensor[] = Array.from({ length: 7 }, (_, i) => ({
    name: `layers.${i}.weight`,
    shape: [i + 1, 4],
    data: Float32Array.from({ length: 4 * (i + 1) }, (_, j) => i * 100 + j * 0.25),
  }));

  it('reads sharded checkpoints exactly like a single file', () => {
    const dir = newDir();
    writeShardedSafetensors(dir, tensors, { maxShardBytes: 100 }); // 16, 32, 48 .. 112 bytes per tensor
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata).toEqual({ total_size: 16 * (1 + 2 + 3 + 4 + 5 + 6 + 7) });
    expect(index.weight_map).toEqual({
      'layers.0.weight': 'model-00001-of-00005.safetensors', // 16 + 32 + 48 bytes
      'layers.1.weight': 'model-00001-of-00005.safetensors',
      'layers.2.weight': 'model-00001-of-00005.safetensors',
      'layers.3.weight': 'model-00002-of-00005.safetensors',
      'layers.4.weight': 'model-00003-of-00005.safetensors',
      'layers.5.weight': 'model-00004-of-00005.safetensors',
      'layers.6.weight': 'model-00005-of-00005.safetensors', // 112 bytes > 100: a shard of its own
    } satisfies Record<string, string>);
    expect(Object.keys(index.weight_map)).toEqual(Object.keys(index.weight_map).sort());
    const sharded = WeightStore.open(dir);
    const single = WeightStore.open(modelDir(tensors));
    expect(sharded.names()).toEqual(single.names());
    for (const t of tensors) expect(sharded.get(t.name, t.shape)).toEqual(single.get(t.name, t.shape));
  });

  it('names the directory, index, file and tensor in its errors', () => {
    const dir = modelDir(tensors);
    const store = WeightStore.open(dir);
    const file = join(dir, 'model.safetensors');
    expect(() => store.get('layers.9.weight')).toThrow(`${file}: layers.9.weight: no such tensor`);
    expect(() => store.get('layers.1.weight', [4, 2])).toThrow(`${file}: layers.1.weight: expected shape [4, 2], found [2, 4]`);
    const empty = newDir();
    expect(() => WeightStore.open(empty)).toThrow(`${empty}: holds none of model.safetensors, model.safetensors.index.json, pytorch_model.bin or pytorch_model.bin.index.json`);
    const sharded = newDir();
    writeShardedSafetensors(sharded, tensors, { maxShardBytes: 100 });
    rmSync(join(sharded, 'model-00003-of-00005.safetensors'));
    expect(() => WeightStore.open(sharded)).toThrow(`${join(sharded, 'model.safetensors.index.json')}: weight_map: shard model-00003-of-00005.safetensors is missing`);
  });

  it('fingerprints names, dtypes, shapes and file sizes, not values', () => {
    const other = tensors.map((t) => ({ ...t, data: t.data.map((v) => v + 1) }));
    const a = WeightStore.open(modelDir(tensors)).fingerprint();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(WeightStore.open(modelDir(other)).fingerprint()).toBe(a);
    expect(WeightStore.open(modelDir(tensors, { dtype: 'F16' })).fingerprint()).not.toBe(a);
    expect(WeightStore.open(modelDir(tensors.slice(1))).fingerprint()).not.toBe(a);
  });
});
