import { createContainer, describePlan, inputProblems, knownNames, loadExperiment, parseShard, planRuns, planStatus, runExperiment, selectShard, writeTables } from '@dymu/experiments';
import type { RunArgs } from '../commands/run.ts';

export async function run(args: RunArgs): Promise<void> {
  const container = createContainer({ results: args.results, cache: args.cache, restartCalibrations: args['restart-calibrations'] });
  const experiment = loadExperiment(args.file, args.overrides, knownNames(container));
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  if (args['dry-run']) {
    const runs = planRuns(experiment);
    const chosen = shard ? selectShard(runs, shard) : runs;
    const problems = await inputProblems(experiment, chosen, container);
    process.stdout.write(describePlan(experiment, planStatus(experiment, args.results), new Set(chosen.map((r) => r.id)), problems));
    if (problems.length > 0) process.exitCode = 1;
    return;
  }
  await runExperiment(experiment, container, { shard, referencesOnly: args['references-only'] });
  const states = planStatus(experiment, args.results);
  const done = states.filter((s) => s.status === 'done').length;
  // A shard does not print the tables: `--jobs N` prints them once, after every worker; by hand or under Slurm, `dymu table`.
  if (shard || done < states.length) {
    console.log(`${shard ? `shard ${args.shard}: done; ` : ''}${done} of ${states.length} runs of ${experiment.name} are finished; \`dymu table ${args.file}\` once all are`);
    return;
  }
  for (const table of await writeTables(experiment, args.results)) console.log(`\n${table.markdown}\n(${table.files.join(', ')})`);
}
