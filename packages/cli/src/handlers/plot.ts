import { createContainer, knownNames, loadExperiment, writePlot } from '@dymu/experiments';
import type { Args } from '../commands/plot.ts';

export async function plot(args: Args): Promise<void> {
  const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
  const plot = await writePlot(experiment, args.results, { metric: args.metric, out: args.out, formats: args.format });
  console.log(`${plot.what}:\n${plot.files.map((f) => `  ${f}`).join('\n')}`);
}
