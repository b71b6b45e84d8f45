import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '@dymu/core';
import type { Experiment } from '../config/experiment.ts';
import { comparisonCsv, comparisonLatex, comparisonMarkdown } from '../paper/format.ts';
import type { Comparison } from '../paper/compare.ts';
import { paperComparison } from '../paper/paper-table.ts';
import { planRuns } from '../plan/plan.ts';
import { RunDir } from '../results/run-dir.ts';
import { csvTable, latexTable, markdownTable } from './format.ts';
import { ResultsDb } from './results-db.ts';
import { buildTable, type TableData } from './table.ts';

export interface WrittenTable {
  /** A `tables:` entry's cells; absent for the `paper:` table. */
  readonly data?: TableData;
  /** The `paper:` table: the paper's rows next to ours. */
  readonly comparison?: Comparison;
  readonly markdown: string;
  /** The .md, .csv and .tex files under results/<experiment>/tables/. */
  readonly files: readonly string[];
}

/**
 * Every table of the experiment from its planned runs' results, written as Markdown, CSV and
 * LaTeX: the `tables:` entries, then the `paper:` table when there is one.
 */
export async function writeTables(experiment: Experiment, results: string): Promise<WrittenTable[]> {
  const runs = planRuns(experiment);
  const db = await ResultsDb.open();
  try {
    await db.load([...new Set(runs.map((r) => r.id))].map((id) => RunDir.of(results, experiment.name, id)));
    const out = join(results, experiment.name, 'tables');
    mkdirSync(out, { recursive: true });
    removeStaleTemporaries(out);
    const write = (name: string, texts: Record<'md' | 'csv' | 'tex', string>) =>
      Object.entries(texts).map(([ext, text]) => {
        const file = join(out, `${name}.${ext}`);
        writeFileAtomic(file, text);
        return file;
      });
    const written: WrittenTable[] = [];
    for (const [i, spec] of experiment.tables.entries()) {
      const data = await buildTable(db, experiment, runs, i);
      const texts = { md: markdownTable(data, spec.digits), csv: csvTable(data), tex: latexTable(data, spec.digits) };
      written.push({ data, markdown: texts.md, files: write(spec.name, texts) });
    }
    if (experiment.paper) {
      const { comparison, text } = await paperComparison(db, experiment, runs);
      const texts = { md: comparisonMarkdown(comparison, text), csv: comparisonCsv(comparison, text), tex: comparisonLatex(comparison, text) };
      written.push({ comparison, markdown: texts.md, files: write(experiment.paper.name, texts) });
    }
    return written;
  } finally {
    db.close();
  }
}
