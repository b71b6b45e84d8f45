import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedZip } from '@dymu/core';
import { SessionPool } from '@dymu/onnx';
import { makeVitModel, WeightStore } from '@dymu/weights';
import { VitEncoder } from '../src/index.ts';

const IMAGES = ['chelsea.jpg', 'coffee.jpg'].map((f) => join(import.meta.dirname, '../../../assets/images', f));
const root = mkdtempSync(join(tmpdir(), 'dymu-torch-bin-tower-'));
const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

/**
 * What torch.save writes for a state dict of float32 tensors, written by hand: the tensors are views
 * of ONE FloatStorage (each at its own storage offset), pickled with protocol 2, in a zip of stored
 * entries `pytorch_model/{data.pkl, data/0, version}`.
 */
function torchSave(file: string, tensors: { name: string; shape: number[]; data: Float32Array }[]): void {
  const op = (...bytes: number[]) => Buffer.from(bytes);
  const text = (s: string) => {
    const b = Buffer.alloc(5);
    b[0] = 0x58; // BINUNICODE
    b.writeUInt32LE(Buffer.byteLength(s), 1);
    return Buffer.concat([b, Buffer.from(s)]);
  };
  const int = (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a; // BININT
    b.writeInt32LE(n, 1);
    return b;
  };
  const global = (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`);
  const tuple = (items: Buffer[]) => Buffer.concat([op(0x28), ...items, op(0x74)]); // MARK … TUPLE
  const orderedDict = Buffer.concat([global('collections', 'OrderedDict'), op(0x29, 0x52)]); // EMPTY_TUPLE REDUCE
  const total = tensors.reduce((n, t) => n + t.data.length, 0);
  const storage = tuple([text('storage'), global('torch', 'FloatStorage'), text('0'), text('cpu'), int(total)]);
  const parts: Buffer[] = [op(0x80, 2), orderedDict, op(0x28)]; // PROTO 2, OrderedDict(), MARK
  let offset = 0;
  for (const t of tensors) {
    const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const args = tuple([Buffer.concat([storage, op(0x51)]), int(offset), tuple(t.shape.map(int)), tuple(strides.map(int)), op(0x89), orderedDict]);
    parts.push(text(t.name), global('torch._utils', '_rebuild_tensor_v2'), args, op(0x52)); // REDUCE
    offset += t.data.length;
  }
  parts.push(op(0x75, 0x2e)); // SETITEMS STOP
  const data = Buffer.concat(tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
  writeFileSync(file, storedZip([['pytorch_model/data.pkl', Buffer.concat(parts)], ['pytorch_model/data/0', data], ['pytorch_model/version', Buffer.from('3\n')]]));
}

describe('a vision tower saved by torch.save (pytorch_model.bin)', () => {
  it.each(['clip-vit', 'siglip-vit'] as const)('%s encodes exactly as the same tower in safetensors', async (arch) => {
    const { dir } = makeVitModel({ arch, preset: 'tiny', seed: 5, out: join(root, `${arch}-safetensors`) });
    const bin = join(root, `${arch}-bin`);
    mkdirSync(bin);
    for (const f of ['config.json', 'preprocessor_config.json']) copyFileSync(join(dir, f), join(bin, f));
    const store = WeightStore.open(dir);
    torchSave(join(bin, 'pytorch_model.bin'), store.names().map((name) => ({ name, shape: store.info(name).shape, data: store.get(name) })));
    expect(WeightStore.open(bin).source).toBe(join(bin, 'pytorch_model.bin'));

    const [expected, got] = [await VitEncoder.load(dir, { pool }), await VitEncoder.load(bin, { pool })].map((e) => e.encode(IMAGES));
    const [a, b] = [await expected, await got];
    expect(b.map((e) => e.count)).toEqual(a.map((e) => e.count));
    for (let i = 0; i < a.length; i++) expect(b[i].tokens).toEqual(a[i].tokens);
  });
});
