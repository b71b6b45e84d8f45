import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { DymuError } from '@dymu/core';
import type { ImageRecord, ImageSource } from './source.ts';

/** File extensions the folder source takes (what sharp decodes; case-insensitive). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.tif', '.tiff', '.avif']);

/** Every image under `dir` (recursively), sorted by path; the id is the path relative to `dir`, with `/`. */
export function folderSource(dir: string, options: { name?: string } = {}): ImageSource {
  return {
    name: options.name ?? 'folder',
    async *records(): AsyncGenerator<ImageRecord> {
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new DymuError('not a directory', { file: dir });
      const ids = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
        .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
      for (const id of ids) yield { id, imagePath: join(dir, id), source: 'folder' };
    },
  };
}
