import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import type { Comparison } from '../src/paper/compare.ts';
import { parseReported } from '../src/paper/reported.ts';
import { comparisonMetrics, comparisonPoints, pickMetric, splitLevel, tableMetrics, tablePoints } from '../src/plots/plot-data.ts';
import { writePlot } from '../src/plots/write-plots.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import type { TableData } from '../src/tables/table.ts';
import { testContainer, workspace } from './helpers.ts';

const stat = (mean: number, std: number | null = null) => ({ mean, std, n: std === null ? 1 : 3, shared: false });

describe('plot data', () => {
  it('groups rows into methods by the label without its schedule level', () => {
    expect(splitLevel('DyMU-low')).toEqual({ method: 'DyMU', level: 'low' });
    expect(splitLevel('ToMe-94')).toEqual({ method: 'ToMe', level: '94' });
    expect(splitLevel('ToMe r8')).toEqual({ method: 'ToMe', level: 'r8' });
    expect(splitLevel('DyMU-SigLIP-high')).toEqual({ method: 'DyMU-SigLIP', level: 'high' });
    expect(splitLevel('LLaVA-1.5-7B')).toEqual({ method: 'LLaVA-1.5-7B', level: 'LLaVA-1.5-7B' });
    expect(splitLevel('DyMU-mid, LLaVA-mix')).toEqual({ method: 'DyMU, LLaVA-mix', level: 'mid' });
  });

  it("takes a table's tokens and metric columns, mean ± std over seeds, the full model apart", () => {
    const data: TableData = {
      name: 't', title: null, rowHeader: 'policy', seeds: 3,
      columns: ['GQA: accuracy', 'MME: accuracy', 'avg accuracy', 'visual tokens'],
      rows: [
        { label: 'none', cells: [stat(60), stat(70), stat(65, 0.5), stat(65, 0)] },
        { label: 'ToMe-low', cells: [stat(50), stat(60), stat(55, 1), stat(23, 0)] },
        { label: 'ToMe-high', cells: [stat(58), null, null, stat(44, 0)] },
        { label: 'DToMe-mid', cells: [stat(59), stat(61), stat(60, 2), stat(30, 4)] },
      ],
    };
    expect(tableMetrics(data).map((m) => m.column)).toEqual(['GQA: accuracy', 'MME: accuracy', 'avg accuracy']);
    const avg = pickMetric(tableMetrics(data), 'AVG')!;
    expect(avg.column).toBe('avg accuracy');
    expect(pickMetric(tableMetrics(data), 'gqa: Accuracy')!.column).toBe('GQA: accuracy');
    expect(pickMetric(tableMetrics(data), 'tokens')).toBeNull();
    const plot = tablePoints(data, avg, new Set(['none']));
    expect(plot.methods).toEqual([
      { name: 'none', full: true, ours: [{ tokens: 65, tokensStd: 0, value: 65, valueStd: 0.5, label: 'none' }], paper: [] },
      { name: 'ToMe', full: false, ours: [{ tokens: 23, tokensStd: 0, value: 55, valueStd: 1, label: 'low' }], paper: [] }, // high has no average
      { name: 'DToMe', full: false, ours: [{ tokens: 30, tokensStd: 4, value: 60, valueStd: 2, label: 'mid' }], paper: [] },
    ]);
    expect(plot.bars).toMatch(/over seeds/);
  });

  it("puts the paper's printed points of our rows beside ours, tokens in percent when the paper gives them so", () => {
    const reported = parseReported(
      ['table,model,group,method,schedule,calibration,tokens,tokens_std,benchmark,value', '9,m,,full,,,100 %,,gqa,62.0', '9,m,,Ours,low,,~14.4 %,3.1,gqa,60.5', '9,m,,Other,,,20 %,,gqa,55.0'].join('\n'),
      '9',
      'x.csv',
    );
    const comparison: Comparison = {
      columns: ['gqa'],
      rows: [
        { label: 'full', paper: reported[0], ours: 'full', cells: { gqa: stat(61, 0.2) }, tokens: { mean: 100, std: 0 } },
        { label: 'Ours, low', paper: reported[1], ours: 'Ours-low', cells: { gqa: stat(59) }, tokens: { mean: 15, std: NaN } },
        { label: 'Other', paper: reported[2], ours: null, cells: {}, tokens: null },
      ],
    };
    expect(comparisonMetrics(comparison)).toEqual([{ column: 'gqa', name: 'GQA' }]);
    const plot = comparisonPoints(comparison, comparisonMetrics(comparison)[0], new Set(['full']));
    expect(plot.tokensLabel).toMatch(/% of the unmerged count/);
    expect(plot.methods).toEqual([
      { name: 'full', full: true, ours: [{ tokens: 100, tokensStd: 0, value: 61, valueStd: 0.2, label: 'full' }], paper: [{ tokens: 100, tokensStd: null, value: 62, valueStd: null, label: 'full' }] },
      { name: 'Ours', full: false, ours: [{ tokens: 15, tokensStd: null, value: 59, valueStd: null, label: 'low' }], paper: [{ tokens: 14.4, tokensStd: 3.1, value: 60.5, valueStd: null, label: 'low' }] },
    ]);
  });
});

describe('dymu plot on a tiny benchmark experiment', () => {
  const ws = workspace('plot-');
  const container = testContainer(ws);
  const file = join(import.meta.dirname, 'fixtures', 'plot-tiny', 'tiny.yaml');
  const load = () => loadExperiment(file, [], knownNames(container));

  it('says which command makes the runs when none has finished', async () => {
    const experiment = load();
    await expect(writePlot(experiment, ws.results)).rejects.toThrow(`${experiment.file}: no finished runs under ${join(ws.results, 'plot-tiny')} to plot: \`npm run dymu -- run ${experiment.file}\` makes them`);
  });

  it('draws a line per method through its points, the full model as a marker, the paper beside them; SVG and PNG', { timeout: 120_000 }, async () => {
    const experiment = load();
    await runExperiment(experiment, container);
    const { files, what } = await writePlot(experiment, ws.results);
    expect(what).toBe('GQA against visual tokens (table9), a line per method');
    expect(files).toEqual(['svg', 'png'].map((ext) => join(ws.results, 'plot-tiny', 'figures', `table9-gqa.${ext}`)));
    const svg = readFileSync(files[0], 'utf8');
    const groups = [...svg.matchAll(/<g data-method="([^"]+)" data-source="(\w+)">(.*?)<\/g>/g)].map((m) => ({ id: `${m[1]}/${m[2]}`, body: m[3] }));
    expect(groups.map((g) => g.id)).toEqual(['full/paper', 'full/ours', 'ToMe/paper', 'ToMe/ours']);
    const tome = groups.filter((g) => g.id.startsWith('ToMe/'));
    for (const g of tome) expect(g.body.match(/<polyline/g)).toHaveLength(1); // one line through low and high
    expect(tome[0].body.match(/<circle[^>]*fill="white"/g)).toHaveLength(2); // the paper's two points, hollow
    expect(groups[1].body).toMatch(/<polygon/); // the full model: a marker
    for (const label of ['>ToMe (paper)<', '>full (paper)<', '>low<', '>high<', '>GQA<', '>visual tokens (mean per image)<']) expect(svg).toContain(label);
    expect(svg).not.toContain('Quoted');
    expect(await sharp(files[1]).metadata()).toMatchObject({ format: 'png', width: 900, height: 540 });
  });

  it('writes one format where --out names it; lists the metrics for an unknown one; says when none of ours has the one asked for', async () => {
    const out = join(ws.dir, 'pics', 'gqa.svg');
    expect((await writePlot(load(), ws.results, { metric: 'GQA', out })).files).toEqual([out]);
    await expect(writePlot(load(), ws.results, { metric: 'mme' })).rejects.toThrow(/no metric "mme" to plot \(metrics: table9: gqa \(GQA\), avg \(Avg\); or avg where there is an average\)/);
    // the paper has an Avg, ours needs all nine benchmarks: asked for, it is an error; by default GQA is drawn
    await expect(writePlot(load(), ws.results, { metric: 'avg' })).rejects.toThrow(/no finished run gives Avg and visual tokens/);
  });
});
