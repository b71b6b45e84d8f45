import type { CommandModule } from 'yargs';
import type { PlotFormat } from '@dymu/experiments';

export interface Args {
  file: string;
  overrides: string[];
  results: string;
  metric?: string;
  out?: string;
  format?: PlotFormat[];
}

/** `svg,png` → the formats, each checked against `known` (the experiments package's PLOT_FORMATS). */
function formats(value: string | string[], known: readonly PlotFormat[]): PlotFormat[] {
  const list = [value].flat().flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const f of list) if (!(known as readonly string[]).includes(f)) throw new Error(`--format: expected ${known.join(' or ')} (comma-separated), got ${JSON.stringify(f)}`);
  return list as PlotFormat[];
}

export const plotCommand: CommandModule<object, Args> = {
  command: 'plot <file> [overrides..]',
  describe: "Draw an experiment's finished runs: a metric (or Avg) against visual tokens, a line per method with std bars, the paper's points beside ours; a complexity experiment: tokens vs image complexity, a panel per run",
  builder: async (y) => {
    const { PLOT_FORMATS } = await import('@dymu/experiments'); // with the command, not with `dymu --help`
    return y
      .positional('file', { type: 'string', demandOption: true, describe: 'experiment file' })
      .positional('overrides', { type: 'string', array: true, default: [], describe: 'the overrides the runs were made with' })
      .option('metric', { type: 'string', describe: 'a metric column (key or header) or avg; default: Avg when there is one, else the first metric' })
      .option('out', { type: 'string', describe: 'the file to write (.svg or .png picks the format); default: results/<experiment>/figures/<table>-<metric>' })
      .option('format', { type: 'string', coerce: (value: string | string[]) => formats(value, PLOT_FORMATS), describe: 'svg, png or svg,png (default: the --out extension, else both)' })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' }) as never;
  },
  handler: (args) => import('../handlers/plot.ts').then((h) => h.plot(args)),
};
