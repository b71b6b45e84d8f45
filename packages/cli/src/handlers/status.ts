import { readCalibrationStatus, readExperimentStatus } from '@dymu/cluster';
import { createContainer, knownNames, loadExperiment } from '@dymu/experiments';
import type { Args } from '../commands/status.ts';

export function status(args: Args): void {
  if (!/\.ya?ml$/i.test(args.file)) {
    process.stdout.write(readCalibrationStatus(args.file));
    return;
  }
  const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
  process.stdout.write(readExperimentStatus(experiment, args.results));
}
