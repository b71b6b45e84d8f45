import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError, sha256, sha256File } from '@dymu/core';

/**
 * sha256 of a model's weight values: of model.safetensors when there is one file, else of the
 * `sha256sum`-style listing ("<hash>  <file>" lines, sorted by file) of its shards.
 */
export async function weightsSha256(dir: string): Promise<string> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
  if (files.length === 0) throw new DymuError('holds no .safetensors file', { file: dir });
  if (files.length === 1) return sha256File(join(dir, files[0]));
  const lines = await Promise.all(files.map(async (f) => `${await sha256File(join(dir, f))}  ${f}\n`));
  return sha256(lines.join(''));
}
