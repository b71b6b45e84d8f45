import { DymuError } from '@dymu/core';
import type { ThresholdList } from './threshold-list.ts';

/** One block of two threshold lists side by side. */
export interface ThresholdRow {
  readonly block: number;
  readonly rA: number | null;
  readonly rB: number | null;
  readonly a: number | null;
  readonly b: number | null;
  /** b − a where both merge. */
  readonly diff: number | null;
}

/** What a list's thresholds do to the tokens of a set of images: per image the count, and their mean and population std (as the paper prints 89 ± 27). */
export interface TokenCounts {
  readonly counts: readonly number[];
  readonly mean: number;
  readonly std: number;
}

export function tokenCounts(counts: readonly number[]): TokenCounts {
  const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
  return { counts, mean, std: Math.sqrt(counts.reduce((s, c) => s + (c - mean) ** 2, 0) / counts.length) };
}

/** The token counts both lists give on one set of images, and how they were counted. */
export interface TokenComparison {
  readonly a: TokenCounts;
  readonly b: TokenCounts;
  /** e.g. `10 images of assets/images, model clip-tiny, after block 2, class token included` */
  readonly on: string;
}

export function compareThresholds(a: ThresholdList, b: ThresholdList): ThresholdRow[] {
  if (a.thresholds.length !== b.thresholds.length) {
    throw new DymuError(`${a.source} has ${a.thresholds.length} blocks, ${b.source} has ${b.thresholds.length}: they are not for the same encoder`);
  }
  return a.thresholds.map((ta, block) => {
    const tb = b.thresholds[block];
    return { block, rA: a.r[block], rB: b.r[block], a: ta, b: tb, diff: ta === null || tb === null ? null : tb - ta };
  });
}

/** A Markdown report: both sources, one line per block, the mean and largest |B − A|, then (given) the token counts of each on a set of images. */
export function comparisonMarkdown(a: ThresholdList, b: ThresholdList, rows: readonly ThresholdRow[], tokens?: TokenComparison): string {
  const num = (v: number | null, digits = 4) => (v === null ? '–' : v.toFixed(digits));
  const int = (v: number | null) => (v === null ? '–' : String(v));
  const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`);
  const lines = [
    `A: ${a.source} (${a.encoder}; ${a.origin})`,
    `B: ${b.source} (${b.encoder}; ${b.origin})`,
    '',
    '| block | r A | τ A | r B | τ B | B − A |',
    '|--:|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.block} | ${int(r.rA)} | ${num(r.a)} | ${int(r.rB)} | ${num(r.b)} | ${signed(r.diff)} |`),
  ];
  const both = rows.filter((r) => r.diff !== null);
  if (both.length > 0) {
    const largest = both.reduce((m, r) => (Math.abs(r.diff!) > Math.abs(m.diff!) ? r : m));
    const mean = both.reduce((s, r) => s + Math.abs(r.diff!), 0) / both.length;
    lines.push('', `${both.length} blocks where both merge: mean |B − A| ${mean.toFixed(4)}, largest ${signed(largest.diff)} at block ${largest.block}`);
  }
  if (tokens) {
    const row = (name: string, t: TokenCounts) => `| ${name} | ${t.mean.toFixed(1)} ± ${t.std.toFixed(1)} | ${Math.min(...t.counts)} | ${Math.max(...t.counts)} |`;
    const diff = tokens.b.counts.map((n, i) => n - tokens.a.counts[i]);
    const meanDiff = diff.reduce((s, d) => s + d, 0) / diff.length;
    lines.push('', `Tokens per image (${tokens.on}):`, '', '| | mean ± std | min | max |', '|--|--:|--:|--:|', row('A', tokens.a), row('B', tokens.b));
    lines.push('', `B − A per image: mean ${meanDiff >= 0 ? '+' : '−'}${Math.abs(meanDiff).toFixed(2)}, ${diff.filter((d) => d !== 0).length} of ${diff.length} images differ`);
  }
  return `${lines.join('\n')}\n`;
}
