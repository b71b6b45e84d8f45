import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { AVERAGED } from '../src/paper/columns.ts';
import { writeTables } from '../src/tables/write-tables.ts';
import { workspace } from './helpers.ts';
import { PAPER_DIR, paperContainer, runPaperFile } from './paper-files.ts';

// Tables 2, 5, 6 and 7 of experiments/paper/ run end to end with the tiny preset (generated LLaVA,
// generated benchmark folders, generated calibration images); they share one results directory,
// as they do for real, so the rows they have in common run once.
describe('the LLaVA-1.5 paper files on generated models', () => {
  const ws = workspace('paper-llava15-');
  const container = paperContainer(ws);

  it('before any run, a paper table lists the paper rows and the command that fills each of ours', async () => {
    const experiment = loadExperiment(join(PAPER_DIR, 'table7.yaml'), ['preset=tiny'], knownNames(container));
    const [table] = await writeTables(experiment, ws.results);
    expect(table.comparison!.rows.map((r) => [r.label, r.ours, r.cells.avg ?? null])).toEqual([['DyMU-mid, LLaVA mix', 'LLaVA-mix', null], ['DyMU-mid, Pixmo-Cap', 'Pixmo-Cap', null]]);
    expect(table.markdown).toContain('| DyMU-mid, LLaVA mix | paper | 195 ± 47 | 61.7 | 62.8 | 1483 | 1862 | 86.6 | 69.2 | 65.9 | 55.1 | 30.9 | 65.1 | 62.6 |');
    expect(table.markdown).toContain(`- Pixmo-Cap: \`npm run dymu -- run ${experiment.file} preset=tiny only.policy=Pixmo-Cap\``);
    // The title claims no spread: with nothing run yet there is none, and the tokens' ± (the paper's) is over images.
    expect(table.markdown.split('\n')[0]).toBe('**Table 7 of the paper (LLaVA-1.5-7B (CLIP ViT-L/14-336)) and ours**');
    expect(table.markdown).toContain('this ± is the spread over images, not over seeds');
    expect(table.markdown).not.toContain('the other columns of ours');
  });

  it('Table 2: every row of ours gets all nine benchmarks, Avg and visual tokens; the rows the paper quotes stay the paper\'s', { timeout: 240_000 }, async () => {
    const { tables } = await runPaperFile('table2', container, ws);
    const { comparison, markdown, files } = tables[0];
    const ours = comparison!.rows.filter((r) => r.ours !== null);
    expect(ours.map((r) => r.ours)).toEqual(['LLaVA-1.5-7B', 'ToMe-94', 'ToMe-209', 'ToMe-393', 'DyMU-low', 'DyMU-mid', 'DyMU-high']);
    for (const row of ours) {
      for (const key of [...AVERAGED, 'mme_perception', 'avg']) expect(row.cells[key], `${row.ours} ${key}`).not.toBeNull();
      expect(row.cells.mme_all).toMatchObject({ n: 1, std: null, shared: true }); // MME's three seeds: greedy answers, one run shared by them
      expect(row.tokens!.mean).toBeGreaterThan(0);
    }
    expect(comparison!.rows.filter((r) => r.ours === null)).toHaveLength(11); // quoted from other papers
    expect(ours.find((r) => r.ours === 'LLaVA-1.5-7B')!.tokens!.mean).toBe(65); // 64 patches + class token
    expect(ours.find((r) => r.ours === 'ToMe-94')!.tokens).toEqual({ mean: 65 - 3 * 14, std: 0 }); // low: 14 per block, 3 blocks before the features
    expect(markdown).not.toContain('without finished runs');
    expect(readFileSync(files.find((f) => f.endsWith('.csv'))!, 'utf8').split('\n')[0]).toMatch(/^row,our_row,tokens paper,tokens std over images paper,tokens ours,tokens std over images ours,gqa paper,gqa ours mean,gqa ours std over seeds,gqa ours seeds,/);
    expect(readFileSync(files.find((f) => f.endsWith('.tex'))!, 'utf8')).toContain('\\toprule');
  });

  it('Tables 5, 6 and 7 reuse the runs they share with Table 2', { timeout: 240_000 }, async () => {
    for (const [name, rows] of [['table5', ['constant', 'linear', 'reverse-linear']], ['table6', ['ToMe', 'ToMe+VTU', 'DToMe+VTU', 'DToMe']], ['table7', ['LLaVA-mix', 'Pixmo-Cap']]] as const) {
      const { tables } = await runPaperFile(name, container, ws);
      const comparison = tables[0].comparison!;
      expect(comparison.rows.map((r) => r.ours)).toEqual(rows);
      for (const row of comparison.rows) expect(row.cells.avg, `${name} ${row.ours}`).not.toBeNull();
    }
    // Table 5's constant row is Table 2's DyMU-mid: the same run ids, so the same numbers
    const table2 = (await runPaperFile('table2', container, ws)).tables[0].comparison!;
    const table5 = (await runPaperFile('table5', container, ws)).tables[0].comparison!;
    expect(table5.rows[0].cells).toEqual(table2.rows.find((r) => r.ours === 'DyMU-mid')!.cells);
  });
});
