import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DymuError, readBytes } from '@dymu/core';
import { decodeHalf, WeightStore } from '../src/index.ts';
import { readTorchBin } from '../src/torch-bin.ts';

// Checkpoints written by torch.save (torch 1.13) with tools/golden/make_torch_bin.py; expected.json
// holds each tensor's bytes as torch's tensor.numpy() gives them, independent of the zip and pickle.
const fixtures = join(import.meta.dirname, 'fixtures', 'torch-bin');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Record<string, { dtype: string; shape: number[]; hex: string }>>;

const root = mkdtempSync(join(tmpdir(), 'dymu-torch-bin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** A model directory holding `fixture` as pytorch_model.bin. */
function modelDir(name: string, fixture: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  copyFileSync(join(fixtures, fixture), join(dir, 'pytorch_model.bin'));
  return dir;
}

function expectBitExact(store: WeightStore, tensors: Record<string, { dtype: string; shape: number[]; hex: string }>): void {
  expect(store.names()).toEqual(Object.keys(tensors).sort());
  for (const [name, want] of Object.entries(tensors)) {
    const bytes = Buffer.from(want.hex, 'hex');
    const file = store.file(name);
    expect({ name, dtype: file.dtype, shape: file.shape }).toEqual({ name, dtype: want.dtype, shape: want.shape });
    expect(Buffer.from(readBytes(file.file, new Uint8Array(file.byteLength), file.offset)).toString('hex'), name).toBe(want.hex);
    const copy = new Uint8Array(bytes).buffer;
    const values = want.dtype === 'F32' ? new Float32Array(copy) : decodeHalf(new Uint16Array(copy), want.dtype as 'F16' | 'BF16');
    expect(new Uint32Array(store.get(name, want.shape).buffer), name).toEqual(new Uint32Array(values.buffer));
  }
}

describe('PyTorch checkpoints (torch.save zip format)', () => {
  it('reads float32, float16 and bfloat16 tensors, 0-d tensors, views and Parameters bit-exactly', () => {
    const store = WeightStore.open(modelDir('mixed', 'mixed.bin'));
    expect(store.source).toBe(join(root, 'mixed', 'pytorch_model.bin'));
    expectBitExact(store, expected['mixed.bin']);
  });

  it('places a view with a storage offset inside the storage it shares with another tensor', () => {
    const tensors = new Map(readTorchBin(join(fixtures, 'mixed.bin')).map((t) => [t.name, t]));
    const base = tensors.get('base')!;
    const view = tensors.get('view')!;
    expect(view.offset).toBe(base.offset + 6 * 4);
    expect(view.byteLength).toBe(12 * 4);
    expect(base.byteLength).toBe(24 * 4);
  });

  it('reads ZIP64 records (as torch writes them for files over 4 GiB) to the same tensors', () => {
    const plain = readTorchBin(join(fixtures, 'mixed.bin')).map((t) => ({ ...t, file: '' }));
    const zip64 = readTorchBin(join(fixtures, 'zip64.bin')).map((t) => ({ ...t, file: '' }));
    expect(zip64).toEqual(plain);
  });

  it('reads sharded checkpoints through pytorch_model.bin.index.json', () => {
    const store = WeightStore.open(join(fixtures, 'sharded'));
    expect(store.source).toBe(join(fixtures, 'sharded', 'pytorch_model.bin.index.json'));
    expect(store.weightFiles).toEqual(['pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin'].map((f) => join(fixtures, 'sharded', f)));
    expectBitExact(store, expected.sharded);
  });

  it('prefers safetensors when a directory holds both', () => {
    const dir = modelDir('both', 'mixed.bin');
    copyFileSync(join(fixtures, 'sharded', 'pytorch_model-00001-of-00002.bin'), join(dir, 'model.safetensors'));
    expect(() => WeightStore.open(dir)).toThrow(`${join(dir, 'model.safetensors')}: header length`);
  });

  describe('refuses bad input, naming the file', () => {
    const refuses = (file: string, message: string | RegExp) => {
      let error: unknown;
      try {
        readTorchBin(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DymuError);
      expect((error as DymuError).file).toBe(file);
      expect((error as Error).message).toMatch(message);
    };

    it('a truncated file', () => {
      const whole = readFileSync(join(fixtures, 'mixed.bin'));
      const cut = join(root, 'truncated.bin');
      writeFileSync(cut, whole.subarray(0, 1500));
      refuses(cut, 'no zip end-of-central-directory record: not a zip file, or truncated');
      const tail = join(root, 'tail-cut.bin');
      writeFileSync(tail, Buffer.concat([whole.subarray(0, 1200), whole.subarray(whole.length - 22)]));
      refuses(tail, /central directory .* runs past the 1222 bytes of the file \(truncated\?\)/);
    });

    it('a global that is not part of a state dict, without calling it', () => {
      refuses(join(fixtures, 'evil.bin'), /global posix\.system is not allowed \(pickle byte \d+\); only a state dict of tensors can be read/);
    });

    it('a storage without its data entry, naming the tensor', () => {
      const file = join(fixtures, 'missing-entry.bin');
      expect(() => readTorchBin(file)).toThrow(`${file}: linear.weight: storage 0 has no data/0 entry in the archive`);
    });

    it('a non-contiguous tensor', () => {
      const file = join(fixtures, 'transposed.bin');
      expect(() => readTorchBin(file)).toThrow(`${file}: t: strides [1, 4] of shape [4, 3] are not contiguous`);
    });

    it('a dtype other than F32, F16 and BF16 when it is read', () => {
      const store = WeightStore.open(modelDir('float64', 'float64.bin'));
      expect(store.info('d').dtype).toBe('F64');
      expect(() => store.get('d')).toThrow(`${join(root, 'float64', 'pytorch_model.bin')}: d: dtype F64 cannot be read as float32 (only F32, F16, BF16)`);
    });

    it("torch.save's legacy format (before torch 1.6)", () => {
      refuses(join(fixtures, 'legacy.bin'), "is a pickle, not a zip: torch.save's legacy format (before torch 1.6) is not read");
    });

    it('a checkpoint that holds no state dict', () => {
      refuses(join(fixtures, 'not-a-dict.bin'), 'holds 7, not a state dict (a dict of tensors)');
    });
  });
});

