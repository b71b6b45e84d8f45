import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { canonicalJson, sha256, sha256File, writeFileAtomic } from '@dymu/core';

/** The project's cache folder: `$DYMU_CACHE`, else `.cache/dymu` in the working directory. */
export function defaultCacheDir(): string {
  return resolve(process.env.DYMU_CACHE || join('.cache', 'dymu'));
}

/** Small files of a model directory that change what the model computes or reads. */
const DESCRIPTOR = /\.(json|model|txt)$/;

/**
 * A content fingerprint of a model directory: sha256 over the full sha256 of every weight file
 * and the bytes of its small descriptor files (config.json, tokenizer files, …). A weight file's
 * hash is computed once and cached under `<cache>/hashes`, keyed by its absolute path and checked
 * against its size, mtime and inode, so replacing a file at the same path changes the fingerprint.
 */
export async function contentFingerprint(dir: string, weightFiles: readonly string[], cacheDir = defaultCacheDir()): Promise<string> {
  const weights: [string, string][] = [];
  for (const file of [...weightFiles].sort()) weights.push([basename(file), await cachedFileHash(file, cacheDir)]);
  const descriptors = readdirSync(dir)
    .filter((f) => DESCRIPTOR.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => [f, sha256(readFileSync(join(dir, f)))]);
  return sha256(canonicalJson({ weights, descriptors }));
}

interface HashRecord {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

async function cachedFileHash(file: string, cacheDir: string): Promise<string> {
  const path = resolve(file);
  const { size, mtimeMs, ino } = statSync(path);
  const record = join(cacheDir, 'hashes', `${sha256(path)}.json`);
  try {
    const old = JSON.parse(readFileSync(record, 'utf8')) as HashRecord;
    if (old.path === path && old.size === size && old.mtimeMs === mtimeMs && old.ino === ino && /^[0-9a-f]{64}$/.test(old.sha256)) return old.sha256;
  } catch {
    // no record yet, or a damaged one: hash again
  }
  const hash = await sha256File(path);
  mkdirSync(join(cacheDir, 'hashes'), { recursive: true });
  writeFileAtomic(record, JSON.stringify({ path, size, mtimeMs, ino, sha256: hash } satisfies HashRecord));
  return hash;
}
