import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DymuError } from '@dymu/core';

const IMAGE = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

/**
 * The images of a calibration source, named as the source names them (so the list hash does not
 * depend on where the data lives): a directory gives its image files, recursively, as sorted
 * relative paths; a text file gives its lines (blank lines and `#` comments skipped), relative
 * paths resolved against the file's directory. `path(name)` locates an image.
 * (Temporary: the dataset samplers of @dymu/datasets will provide image lists too.)
 */
export function readImageSource(source: string): { names: string[]; path: (name: string) => string } {
  if (!existsSync(source)) throw new DymuError('not found (expected a directory of images or a text file of image paths)', { file: source });
  if (statSync(source).isDirectory()) {
    const names = readdirSync(source, { recursive: true, encoding: 'utf8' }).filter((f) => IMAGE.test(f)).sort();
    if (names.length === 0) throw new DymuError('holds no image files', { file: source });
    return { names, path: (name) => resolve(source, name) };
  }
  const names = readFileSync(source, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (names.length === 0) throw new DymuError('lists no images', { file: source });
  return { names, path: (name) => resolve(dirname(source), name) };
}

/**
 * The entries whose images are there (a file at `path(name)`), in order, and those whose images are
 * missing: a calibration draws its sample among the present ones and records how many were missing.
 */
export function presentImages(names: readonly string[], path: (name: string) => string): { present: string[]; missing: string[] } {
  const present: string[] = [];
  const missing: string[] = [];
  for (const name of names) (existsSync(path(name)) ? present : missing).push(name);
  return { present, missing };
}

/** The warning a calibration prints before its first batch when images are missing. */
export function missingImagesWarning(missing: readonly string[], total: number, source: string): string {
  return `${missing.length} of the ${total} calibration images of ${source} ${missing.length > 1 ? 'are' : 'is'} missing and left out before sampling: ${firstNames(missing)}`;
}

/** The first few names of a list, for messages. */
export function firstNames(names: readonly string[], shown = 5): string {
  return names.length <= shown ? names.join(', ') : `${names.slice(0, shown).join(', ')}, … ${names.length - shown} more`;
}
