import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { sha256, sha256File } from './hash.ts';

/** The project's cache folder: `$DYMU_CACHE`, else `.cache/dymu` in the working directory. */
export function defaultCacheDir(): string {
  return resolve(process.env.DYMU_CACHE || join('.cache', 'dymu'));
}

interface HashRecord {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * sha256 of a (multi-GB) file, computed once and cached under `<cache>/hashes`, keyed by its
 * absolute path and checked against its size, mtime and inode, so replacing a file at the same
 * path is hashed again.
 */
export async function cachedSha256File(file: string, cacheDir = defaultCacheDir()): Promise<string> {
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
