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

export function compareThresholds(a: ThresholdList, b: ThresholdList): ThresholdRow[] {
  if (a.thresholds.length !== b.thresholds.length) {
    throw new DymuError(`${a.source} has ${a.thresholds.length} blocks, ${b.source} has ${b.thresholds.length}: they are not for the same encoder`);
  }
  return a.thresholds.map((ta, block) => {
    const tb = b.thresholds[block];
    return { block, rA: a.r[block], rB: b.r[block], a: ta, b: tb, diff: ta === null || tb === null ? null : tb - ta };
  });
}

/** A Markdown report: both sources, one line per block, then the mean and largest |B − A|. */
export function comparisonMarkdown(a: ThresholdList, b: ThresholdList, rows: readonly ThresholdRow[]): string {
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
  return `${lines.join('\n')}\n`;
}
