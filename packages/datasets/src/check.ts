import { resolve } from 'node:path';
import { addProblem, imageStatuses, noProblems, type Problems } from './image-check.ts';
import type { ImageSource } from './source.ts';

export interface SourceCheck {
  name: string;
  records: number;
  /** Distinct image paths. */
  images: number;
  missing: Problems;
  /** Counted only with `decode`. */
  undecodable: Problems;
}

export interface CheckOptions {
  /** Also read each image's header with sharp (slower). */
  decode?: boolean;
  /** Paths kept as examples per problem (default 5). */
  examples?: number;
}

const BATCH = 256;

/** Reads every record of a source and checks each distinct image once. Memory: the set of distinct paths. */
export async function checkSource(source: ImageSource, options: CheckOptions = {}): Promise<SourceCheck> {
  const examples = options.examples ?? 5;
  const result: SourceCheck = { name: source.name, records: 0, images: 0, missing: noProblems(), undecodable: noProblems() };
  const seen = new Set<string>();
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    const statuses = await imageStatuses(pending, options.decode ?? false);
    statuses.forEach((status, i) => {
      if (status !== 'ok') addProblem(result[status], pending[i], examples);
    });
    pending = [];
  };
  for await (const record of source.records()) {
    result.records++;
    const key = resolve(record.imagePath);
    if (seen.has(key)) continue;
    seen.add(key);
    result.images++;
    pending.push(record.imagePath);
    if (pending.length === BATCH) await flush();
  }
  await flush();
  return result;
}
