import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cachedSha256File, DymuError, sha256 } from '@dymu/core';

/** Weight files as a model directory ships them: safetensors first (as WeightStore.open reads them), else torch.save's .bin. */
const WEIGHT_FILES = [/\.safetensors$/, /^pytorch_model.*\.bin$/];

/**
 * sha256 of a model's weight values: of the weight file when there is one (model.safetensors or
 * pytorch_model.bin), else of the `sha256sum`-style listing ("<hash>  <file>" lines, sorted by file)
 * of its shards. Each file's hash is cached by path, size, mtime and inode (`cachedSha256File`), so
 * a multi-GB checkpoint is read once, not once per process.
 */
export async function weightsSha256(dir: string): Promise<string> {
  const names = readdirSync(dir);
  const files = WEIGHT_FILES.map((pattern) => names.filter((f) => pattern.test(f)).sort()).find((found) => found.length > 0);
  if (files === undefined) throw new DymuError('holds no weight file (*.safetensors or pytorch_model*.bin)', { file: dir });
  if (files.length === 1) return cachedSha256File(join(dir, files[0]));
  const lines = await Promise.all(files.map(async (f) => `${await cachedSha256File(join(dir, f))}  ${f}\n`));
  return sha256(lines.join(''));
}
