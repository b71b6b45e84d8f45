import { resolve } from 'node:path';
import { DymuError, Rng } from '@dymu/core';
import { addProblem, imageStatuses, noProblems, type Problems } from './image-check.ts';
import type { ImageRecord, ImageSource } from './source.ts';

/**
 * - `uniform`: distinct images drawn uniformly from all sources' records pooled;
 * - `stratified`: each source gets `count·w/Σw` images (largest remainder), drawn uniformly inside it;
 * - `first`: the official DyMU calibration recipe: the first `count` image records in source order
 *   (duplicate paths kept, as the official list keeps them), shuffled. Bad images are dropped, not replaced.
 */
export type SampleMode = 'uniform' | 'stratified' | 'first';

export interface SampleOptions {
  count: number;
  seed: number;
  /** Default `uniform`. */
  mode?: SampleMode;
  /** `stratified` only: a weight per source name (default: equal weights). */
  weights?: Readonly<Record<string, number>>;
  /** Also check that each chosen image's header decodes (sharp metadata). Existence is always checked. */
  decode?: boolean;
  /** Paths kept as examples per problem (default 5). */
  examples?: number;
}

export interface SourceTally {
  /** Image records read from the source. */
  records: number;
  /** `stratified`: the images asked of the source. */
  quota?: number;
  selected: number;
}

export interface SampleReport {
  mode: SampleMode;
  seed: number;
  requested: number;
  selected: number;
  /** Image records read over all sources. */
  records: number;
  /** Records whose image path came earlier (dropped; kept in `first` mode). */
  duplicates: number;
  /** Among the images checked (checking stops once `count` are accepted). */
  missing: Problems;
  undecodable: Problems;
  perSource: Record<string, SourceTally>;
}

export interface Sample {
  /** The chosen images in their sampled order, with the common fields only (id, imagePath, source, width, height). */
  images: ImageRecord[];
  report: SampleReport;
}

const BATCH = 256;

/**
 * Draws images across sources, reproducibly by seed (one `Rng.stream(seed, 'sampler')`), skipping
 * and reporting missing or undecodable files. Memory: one small record per image read (all records
 * in `uniform`/`stratified` mode, `count` in `first` mode).
 */
export async function sampleImages(sources: readonly ImageSource[], options: SampleOptions): Promise<Sample> {
  const mode = options.mode ?? 'uniform';
  const weights = checkOptions(sources, options, mode);
  const rng = Rng.stream(options.seed, 'sampler');
  const report: SampleReport = {
    mode,
    seed: options.seed,
    requested: options.count,
    selected: 0,
    records: 0,
    duplicates: 0,
    missing: noProblems(),
    undecodable: noProblems(),
    perSource: {},
  };
  const pools = await readPools(sources, mode === 'first' ? options.count : Infinity, mode !== 'first', report);
  const accept = (candidates: ImageRecord[], n: number): Promise<ImageRecord[]> => acceptReadable(candidates, n, options, report);

  let images: ImageRecord[];
  if (mode === 'stratified') {
    const quotas = apportion(options.count, weights);
    images = [];
    for (const [i, pool] of pools.entries()) {
      report.perSource[sources[i].name].quota = quotas[i];
      images.push(...(await accept(rng.shuffle(pool), quotas[i])));
    }
    rng.shuffle(images);
  } else {
    const all = rng.shuffle(pools.flat());
    images = await accept(all, mode === 'first' ? all.length : options.count);
  }

  const origin = new Map(pools.flatMap((pool, i) => pool.map((r) => [r, sources[i].name] as const)));
  for (const r of images) report.perSource[origin.get(r)!].selected++;
  report.selected = images.length;
  return { images, report };
}

/** The weights of the sources, in order (all 1 unless stratified with weights). */
function checkOptions(sources: readonly ImageSource[], options: SampleOptions, mode: SampleMode): number[] {
  const { count, seed, weights } = options;
  if (!Number.isInteger(count) || count <= 0) throw new DymuError(`expected a positive integer, got ${count}`, { field: 'count' });
  if (!Number.isInteger(seed)) throw new DymuError(`expected an integer, got ${seed}`, { field: 'seed' });
  if (!['uniform', 'stratified', 'first'].includes(mode)) throw new DymuError(`expected uniform, stratified or first, got ${mode}`, { field: 'mode' });
  if (sources.length === 0) throw new DymuError('no sources to sample from', { field: 'sources' });
  const names = sources.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new DymuError(`two sources are named ${JSON.stringify(twice)}`, { field: 'sources' });
  if (weights === undefined) return names.map(() => 1);
  if (mode !== 'stratified') throw new DymuError(`weights apply to the stratified mode only, not ${mode}`, { field: 'weights' });
  const unknown = Object.keys(weights).find((k) => !names.includes(k));
  if (unknown !== undefined) throw new DymuError(`no source is named ${JSON.stringify(unknown)} (sources: ${names.join(', ')})`, { field: 'weights' });
  const list = names.map((n) => weights[n]);
  list.forEach((w, i) => {
    if (!(Number.isFinite(w) && w >= 0)) throw new DymuError(`expected a non-negative number, got ${w}`, { field: `weights.${names[i]}` });
  });
  if (!list.some((w) => w > 0)) throw new DymuError('all weights are 0', { field: 'weights' });
  return list;
}

/** Each source's records (common fields only), up to `limit` in total; with `dedupe`, each image path once. */
async function readPools(sources: readonly ImageSource[], limit: number, dedupe: boolean, report: SampleReport): Promise<ImageRecord[][]> {
  const seen = new Set<string>();
  const pools: ImageRecord[][] = [];
  let taken = 0;
  for (const source of sources) {
    const pool: ImageRecord[] = [];
    const tally: SourceTally = { records: 0, selected: 0 };
    report.perSource[source.name] = tally;
    pools.push(pool);
    if (taken === limit) continue;
    for await (const { id, imagePath, source: kind, width, height } of source.records()) {
      tally.records++;
      report.records++;
      const key = resolve(imagePath);
      if (seen.has(key)) {
        report.duplicates++;
        if (dedupe) continue;
      }
      seen.add(key);
      pool.push({ id, imagePath, source: kind, ...(width !== undefined && { width }), ...(height !== undefined && { height }) });
      if (++taken === limit) break;
    }
  }
  return pools;
}

/** The first `n` candidates whose image is readable, in order; the others are counted in the report. */
async function acceptReadable(candidates: ImageRecord[], n: number, options: SampleOptions, report: SampleReport): Promise<ImageRecord[]> {
  const accepted: ImageRecord[] = [];
  for (let i = 0; i < candidates.length && accepted.length < n; ) {
    const batch = candidates.slice(i, i + Math.min(BATCH, n - accepted.length));
    i += batch.length;
    const statuses = await imageStatuses(
      batch.map((r) => r.imagePath),
      options.decode ?? false,
    );
    statuses.forEach((status, j) => {
      if (status === 'ok') accepted.push(batch[j]);
      else addProblem(report[status], batch[j].imagePath, options.examples ?? 5);
    });
  }
  return accepted;
}

/** Integer shares of `count` proportional to the weights (largest remainder; ties go to the earlier source). */
function apportion(count: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (count * w) / total);
  const shares = exact.map(Math.floor);
  const left = count - shares.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((_, i) => i).sort((a, b) => exact[b] - shares[b] - (exact[a] - shares[a]) || a - b);
  for (const i of byRemainder.slice(0, left)) shares[i]++;
  return shares;
}
