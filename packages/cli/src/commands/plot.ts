import type { CommandModule } from 'yargs';
import { createContainer, knownNames, loadExperiment, PLOT_FORMATS, writePlot, type PlotFormat } from '@dymu/experiments';

interface Args {
  file: string;
  overrides: string[];
  results: string;
  metric?: string;
  out?: string;
  format?: PlotFormat[];
}

/** `svg,png` → the formats, each checked. */
function formats(value: string | string[]): PlotFormat[] {
  const list = [value].flat().flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const f of list) if (!(PLOT_FORMATS as readonly string[]).includes(f)) throw new Error(`--format: expected ${PLOT_FORMATS.join(' or ')} (comma-separated), got ${JSON.stringify(f)}`);
  return list as PlotFormat[];
}

export const plotCommand: CommandModule<object, Args> = {
  command: 'plot <file> [overrides..]',
  describe: "Draw an experiment's finished runs: a metric (or Avg) against visual tokens, a line per method with std bars, the paper's points beside ours; a complexity experiment: tokens vs image complexity, a panel per run",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'experiment file' })
      .positional('overrides', { type: 'string', array: true, default: [], describe: 'the overrides the runs were made with' })
      .option('metric', { type: 'string', describe: 'a metric column (key or header) or avg; default: Avg when there is one, else the first metric' })
      .option('out', { type: 'string', describe: 'the file to write (.svg or .png picks the format); default: results/<experiment>/figures/<table>-<metric>' })
      .option('format', { type: 'string', coerce: formats, describe: 'svg, png or svg,png (default: the --out extension, else both)' })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' }) as never,
  handler: async (args) => {
    const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
    const plot = await writePlot(experiment, args.results, { metric: args.metric, out: args.out, formats: args.format });
    console.log(`${plot.what}:\n${plot.files.map((f) => `  ${f}`).join('\n')}`);
  },
};
