import { createContainer, describeResults, describeStatus, knownNames, loadExperiment, planStatus, runDirs } from '@dymu/experiments';
import type { Args } from '../commands/ls.ts';

export function ls(args: Args): void {
  if (args.file === undefined) {
    process.stdout.write(describeResults(runDirs(args.results)));
    return;
  }
  const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
  process.stdout.write(describeStatus(experiment, planStatus(experiment, args.results)));
}
