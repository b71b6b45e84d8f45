import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeightStore, writeSafetensors } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-content-hash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cache = join(root, 'cache');

function model(name: string, values: number[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, 'model.safetensors'), [{ name: 'w', shape: [values.length], data: Float32Array.from(values) }]);
  writeFileSync(join(dir, 'config.json'), '{"hidden_size": 4}');
  return dir;
}

describe('contentFingerprint', () => {
  it('changes with the weights’ values even when names, shapes and sizes stay the same', async () => {
    const a = WeightStore.open(model('a', [1, 2, 3, 4]));
    const b = WeightStore.open(model('b', [1, 2, 3, 5]));
    expect(a.fingerprint()).toBe(b.fingerprint()); // the cheap fingerprint sees only the layout
    expect(await a.contentFingerprint(cache)).not.toBe(await b.contentFingerprint(cache));
    expect(await a.contentFingerprint(cache)).toBe(await WeightStore.open(model('a2', [1, 2, 3, 4])).contentFingerprint(cache));
  });

  it('is cached by path, size and mtime, and sees a file replaced at the same path', async () => {
    const dir = model('c', [1, 2, 3, 4]);
    const first = await WeightStore.open(dir).contentFingerprint(cache);
    const records = readdirSync(join(cache, 'hashes')).map((f) => JSON.parse(readFileSync(join(cache, 'hashes', f), 'utf8')));
    const record = records.find((r) => r.path === join(dir, 'model.safetensors'));
    expect(record.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'model.safetensors'))).digest('hex'));
    model('c', [9, 2, 3, 4]); // replaced at the same path
    expect(await WeightStore.open(dir).contentFingerprint(cache)).not.toBe(first);
  });

  it('trusts the cached hash while size and mtime are unchanged, rehashes after a touch, and includes config.json', async () => {
    const dir = model('d', [1, 2, 3, 4]);
    const file = join(dir, 'model.safetensors');
    const first = await WeightStore.open(dir).contentFingerprint(cache);
    const record = readdirSync(join(cache, 'hashes')).find((f) => readFileSync(join(cache, 'hashes', f), 'utf8').includes(file))!;
    const stored = JSON.parse(readFileSync(join(cache, 'hashes', record), 'utf8'));
    writeFileSync(join(cache, 'hashes', record), JSON.stringify({ ...stored, sha256: 'f'.repeat(64) })); // a hash the file does not have
    expect(await WeightStore.open(dir).contentFingerprint(cache)).not.toBe(first); // read from the record, not the file
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later); // a new mtime: the file is hashed again
    const second = await WeightStore.open(dir).contentFingerprint(cache);
    expect(second).toBe(first);
    writeFileSync(join(dir, 'config.json'), '{"hidden_size": 8}');
    expect(await WeightStore.open(dir).contentFingerprint(cache)).not.toBe(first);
  });
});
