import { mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { DymuError, writeFileAtomic } from '@dymu/core';
import { scatterPanelsSvg, svgToPng, tokensChartSvg, type ScatterSpec } from '@dymu/viz';
import type { Experiment } from '../config/experiment.ts';
import { paperComparison, rowLabel, runCommand } from '../paper/paper-table.ts';
import { planRuns, type PlannedRun } from '../plan/plan.ts';
import { RunDir } from '../results/run-dir.ts';
import { ResultsDb } from '../tables/results-db.ts';
import { buildTable, labelAt } from '../tables/table.ts';
import { comparisonMetrics, comparisonPoints, pickMetric, tableMetrics, tablePoints, type MetricChoice, type PlotData } from './plot-data.ts';

export const PLOT_FORMATS = ['svg', 'png'] as const;
export type PlotFormat = (typeof PLOT_FORMATS)[number];

export interface PlotOptions {
  /** A metric column (key or header) or `avg`; default: Avg when there is one, else the first metric. */
  readonly metric?: string;
  /** The file to write (its extension, if .svg or .png, is dropped and picks the format); default: results/<experiment>/figures/<name>. */
  readonly out?: string;
  /** Default: the extension of `out`, else both. */
  readonly formats?: readonly PlotFormat[];
}

export interface WrittenPlot {
  /** What the picture shows, in a few words. */
  readonly what: string;
  readonly files: readonly string[];
}

/** A table the tokens chart can be drawn from: the `paper:` table or a `tables:` entry with a tokens column. */
interface Source {
  readonly name: string;
  readonly metrics: readonly MetricChoice[];
  readonly points: (metric: MetricChoice) => PlotData;
}

/**
 * The experiment's picture from its finished runs: for a complexity experiment, one panel per run
 * of visual tokens against image complexity; otherwise visual tokens against a metric, a line per
 * method (the `paper:` table's rows, with the paper's points, else a `tables:` entry's), through
 * the same table code as `dymu table`. Written as SVG and/or PNG.
 */
export async function writePlot(experiment: Experiment, results: string, options: PlotOptions = {}): Promise<WrittenPlot> {
  const runs = planRuns(experiment);
  const complexity = runs.every((run) => run.config.task === 'complexity');
  const db = await ResultsDb.open();
  try {
    await db.load([...new Set(runs.map((r) => r.id))].map((id) => RunDir.of(results, experiment.name, id)), { samples: complexity });
    const { rows } = await db.query("SELECT count(*) FROM runs WHERE status = 'done'");
    if (rows[0][0] === 0) {
      throw new DymuError(`no finished runs under ${join(results, experiment.name)} to plot: \`${runCommand(experiment.file, experiment.overrides)}\` makes them`, { file: experiment.file });
    }
    if (complexity) {
      if (options.metric !== undefined) throw new DymuError('the complexity figure plots visual tokens against image complexity: it takes no metric', { file: experiment.file, field: 'task' });
      const svg = await complexityFigure(db, experiment, runs);
      return { what: `visual tokens against image complexity, a panel per run`, files: write(svg, options, join(results, experiment.name, 'figures', experiment.name)) };
    }
    const sources = await tokenSources(db, experiment, runs);
    const plots = candidates(sources, experiment, options.metric).map(([source, metric]) => ({ source, metric, data: source.points(metric) }));
    const found = plots.find((p) => p.data.methods.some((m) => m.ours.length > 0));
    if (!found) throw new DymuError(`no finished run gives ${options.metric === undefined ? 'a metric' : plots[0].metric.name} and visual tokens`, { file: experiment.file });
    const { source, metric, data } = found;
    const svg = tokensChartSvg({ title: experiment.description || experiment.name, xLabel: data.tokensLabel, yLabel: data.metric, note: data.bars, methods: data.methods });
    const stem = join(results, experiment.name, 'figures', `${source.name}-${metric.column.replace(/[^\w.-]+/g, '-')}`);
    return { what: `${metric.name} against visual tokens (${source.name}), a line per method`, files: write(svg, options, stem) };
  } finally {
    db.close();
  }
}

/** The `paper:` table first, then each `tables:` entry with a tokens column. */
async function tokenSources(db: ResultsDb, experiment: Experiment, runs: readonly PlannedRun[]): Promise<Source[]> {
  const fullRows = (label: (run: PlannedRun) => string) => new Set(runs.filter((run) => run.config.policy.name === 'none').map(label));
  const sources: Source[] = [];
  if (experiment.paper) {
    const { comparison } = await paperComparison(db, experiment, runs);
    const full = fullRows((run) => rowLabel(experiment, run));
    sources.push({ name: experiment.paper.name, metrics: comparisonMetrics(comparison), points: (metric) => comparisonPoints(comparison, metric, full) });
  }
  for (const [i, spec] of experiment.tables.entries()) {
    if (spec.tokens === null) continue;
    const data = await buildTable(db, experiment, runs, i);
    const full = fullRows((run) => spec.rows.map((p) => labelAt(run, p)).join(', '));
    sources.push({ name: spec.name, metrics: tableMetrics(data), points: (metric) => tablePoints(data, metric, full) });
  }
  return sources.filter((s) => s.metrics.length > 0);
}

/**
 * The source and metric `wanted` names (an unknown one lists them all); without one, every metric
 * in order of preference: each source's Avg, then its metrics.
 */
function candidates(sources: readonly Source[], experiment: Experiment, wanted: string | undefined): [Source, MetricChoice][] {
  if (sources.length === 0) throw new DymuError('nothing to plot: the file has no paper: block and no table with a visual-tokens column and a metric', { file: experiment.file, field: 'tables' });
  if (wanted === undefined) return sources.flatMap((s) => [pickMetric(s.metrics, 'avg'), ...s.metrics].flatMap((m) => (m ? [[s, m] as [Source, MetricChoice]] : [])));
  for (const source of sources) {
    const metric = pickMetric(source.metrics, wanted);
    if (metric) return [[source, metric]];
  }
  const known = sources.map((s) => `${s.name}: ${s.metrics.map((m) => (m.column === m.name ? m.name : `${m.column} (${m.name})`)).join(', ')}`).join('; ');
  throw new DymuError(`no metric ${JSON.stringify(wanted)} to plot (metrics: ${known}; or avg where there is an average)`, { file: experiment.file });
}

/** A panel per finished run: its images' tokens (class token included) against JPEG bytes per pixel, the least-squares line, Pearson r from its summary. */
async function complexityFigure(db: ResultsDb, experiment: Experiment, runs: readonly PlannedRun[]): Promise<string> {
  const { rows: samples } = await db.query('SELECT run_id, jpeg_bpp, tokens_cls FROM samples ORDER BY run_id, "index"');
  const { rows: summaries } = await db.query("SELECT run_id, value FROM metrics WHERE metric = 'pearson_r'");
  const r = new Map(summaries as [string, number][]);
  // name a panel by the labels that tell the runs apart (not the one dataset they all read)
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run.labels)))];
  const varying = keys.filter((k) => new Set(runs.map((run) => run.labels[k])).size > 1);
  const panels: ScatterSpec[] = [...new Map(runs.map((run) => [run.id, run])).values()].flatMap((run) => {
    if (!r.has(run.id)) return [];
    const own = (samples as [string, number, number][]).filter(([id]) => id === run.id);
    const seed = experiment.seeds.length > 1 && run.seed !== null ? `, seed ${run.seed}` : '';
    return [{
      x: own.map((s) => s[1]),
      y: own.map((s) => s[2]),
      fit: true,
      xLabel: 'image complexity: JPEG (quality 50) bytes per pixel',
      yLabel: 'visual tokens (class token included)',
      title: `${(varying.length > 0 ? varying : keys).map((k) => run.labels[k]).join(', ')}${seed}: Pearson r = ${r.get(run.id)!.toFixed(3)}, n = ${own.length}`,
    }];
  });
  return scatterPanelsSvg(`${experiment.description || experiment.name}`, panels);
}

/** Writes the picture in each format at `options.out` (or `stem`) with the format's extension. */
function write(svg: string, options: PlotOptions, stem: string): string[] {
  const ext = options.out ? extname(options.out).slice(1) : '';
  const given = (PLOT_FORMATS as readonly string[]).includes(ext);
  const base = options.out ? (given ? options.out.slice(0, -ext.length - 1) : options.out) : stem;
  const formats = options.formats ?? (given ? [ext as PlotFormat] : PLOT_FORMATS);
  mkdirSync(dirname(base), { recursive: true });
  return formats.map((format) => {
    const file = `${base}.${format}`;
    writeFileAtomic(file, format === 'svg' ? svg : svgToPng(svg));
    return file;
  });
}
