import { arrayRange, describeExperimentArray, referenceShardCount, referenceStates, runShardsLocally, submitExperiment, type ExperimentArray, type SubmittedArray } from '@dymu/cluster';
import { createContainer, knownNames, loadExperiment, planRuns, planStatus, preflight } from '@dymu/experiments';
import type { ClusterRunArgs } from '../commands/run-cluster.ts';
import { DYMU_COMMAND, slurmResources } from '../executor-options.ts';
import { run } from './run.ts';

/** `dymu run` with executors: `dymu run` itself, or the shards as local workers then `dymu run`, or a Slurm array (clusterRunCommand says how). */
export async function runWithExecutors(args: ClusterRunArgs): Promise<void> {
  const local = args.executor === 'local';
  if (local && (args['dry-run'] || (args.jobs ?? 1) <= 1)) return run(args);
  const command = [...DYMU_COMMAND, 'run', args.file, ...args.overrides, '--results', args.results, ...(args.cache === undefined ? [] : ['--cache', args.cache])];
  const container = createContainer({ results: args.results, cache: args.cache });
  const experiment = loadExperiment(args.file, args.overrides, knownNames(container));
  if (!args['dry-run']) await preflight(experiment, planRuns(experiment), container);
  const states = planStatus(experiment, args.results);
  if (local) {
    // the runs random runs take their counts from first, in as many workers as there are of them, at most --jobs (as the Slurm arrays)
    const references = referenceStates(states).length;
    if (references > 0) await runShardsLocally({ command: [...command, '--references-only'], shards: referenceShardCount(references, args.jobs!) });
    await runShardsLocally({ command, shards: args.jobs! });
    return run(args);
  }
  const job: ExperimentArray = { experiment, results: args.results, shards: args.jobs ?? states.length, command, workdir: process.cwd(), resources: slurmResources(args) };
  if (args['dry-run']) {
    process.stdout.write(describeExperimentArray(job, states));
    return;
  }
  const submitted = submitExperiment(job, states);
  const { references } = submitted;
  const shards = (s: SubmittedArray) => `shard${s.tasks.length > 1 ? 's' : ''} ${arrayRange(s.tasks)} of ${s.shards} (${s.script})`;
  if (references) console.log(`submitted job ${references.job}: the runs random runs take their counts from, ${shards(references)}`);
  if (submitted.job === undefined) console.log(`every run of ${experiment.name} is finished: nothing to submit (dymu table ${args.file})`);
  else console.log(`submitted job ${submitted.job}: ${shards(submitted)}${references ? `, once job ${references.job} has succeeded` : ''}`);
  console.log(`follow it with: dymu status ${args.file}`);
}
