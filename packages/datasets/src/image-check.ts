import { stat } from 'node:fs/promises';
import sharp from 'sharp';

export type ImageStatus = 'ok' | 'missing' | 'undecodable';

/** A count of bad images and the first few paths. */
export interface Problems {
  count: number;
  examples: string[];
}

export const noProblems = (): Problems => ({ count: 0, examples: [] });

export function addProblem(problems: Problems, path: string, maxExamples: number): void {
  problems.count++;
  if (problems.examples.length < maxExamples) problems.examples.push(path);
}

/** Whether the image file exists and (with `decode`) sharp can read its header. */
export async function imageStatus(path: string, decode: boolean): Promise<ImageStatus> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return 'missing';
  if (!decode) return 'ok';
  try {
    const { width, height } = await sharp(path).metadata();
    return width > 0 && height > 0 ? 'ok' : 'undecodable';
  } catch {
    return 'undecodable';
  }
}

/** `imageStatus` of each path, checked concurrently (callers pass a few hundred at a time). */
export function imageStatuses(paths: readonly string[], decode: boolean): Promise<ImageStatus[]> {
  return Promise.all(paths.map((p) => imageStatus(p, decode)));
}
