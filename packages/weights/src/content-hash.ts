import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cachedSha256File, canonicalJson, defaultCacheDir, sha256 } from '@dymu/core';

/** Small files of a model directory that change what the model computes or reads. */
const DESCRIPTOR = /\.(json|model|txt)$/;

/**
 * A content fingerprint of a model directory: sha256 over the full sha256 of every weight file
 * and the bytes of its small descriptor files (config.json, tokenizer files, …). A weight file's
 * hash is cached (`cachedSha256File`), so replacing a file at the same path changes the fingerprint.
 */
export async function contentFingerprint(dir: string, weightFiles: readonly string[], cacheDir = defaultCacheDir()): Promise<string> {
  const weights: [string, string][] = [];
  for (const file of [...weightFiles].sort()) weights.push([basename(file), await cachedSha256File(file, cacheDir)]);
  const descriptors = readdirSync(dir)
    .filter((f) => DESCRIPTOR.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => [f, sha256(readFileSync(join(dir, f)))]);
  return sha256(canonicalJson({ weights, descriptors }));
}
