import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment.ts';
import { planRuns } from '../plan/plan.ts';
import { RunDir } from '../results/run-dir.ts';
import { csvTable, latexTable, markdownTable } from './format.ts';
import { ResultsDb } from './results-db.ts';
import { buildTable, type TableData } from './table.ts';

export interface WrittenTable {
  readonly data: TableData;
  readonly markdown: string;
  /** The .md, .csv and .tex files under results/<experiment>/tables/. */
  readonly files: readonly string[];
}

/** Every table of the experiment from its planned runs' results, written as Markdown, CSV and LaTeX. */
export async function writeTables(experiment: Experiment, results: string): Promise<WrittenTable[]> {
  const runs = planRuns(experiment);
  const db = await ResultsDb.open();
  try {
    await db.load([...new Set(runs.map((r) => r.id))].map((id) => RunDir.of(results, experiment.name, id)));
    const out = join(results, experiment.name, 'tables');
    mkdirSync(out, { recursive: true });
    const written: WrittenTable[] = [];
    for (const [i, spec] of experiment.tables.entries()) {
      const data = await buildTable(db, experiment, runs, i);
      const texts = { md: markdownTable(data, spec.digits), csv: csvTable(data), tex: latexTable(data, spec.digits) };
      const files = Object.entries(texts).map(([ext, text]) => {
        const file = join(out, `${spec.name}.${ext}`);
        writeFileSync(file, text);
        return file;
      });
      written.push({ data, markdown: texts.md, files });
    }
    return written;
  } finally {
    db.close();
  }
}
