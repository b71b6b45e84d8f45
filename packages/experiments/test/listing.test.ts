import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { describeResults } from '../src/runner/describe.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { runDirs } from '../src/tables/results-db.ts';
import { testContainer, workspace } from './helpers.ts';

describe('dymu ls without a file', () => {
  it('lists experiments by name, each by its sweep values in the order the sweep declares them, then by seed', async () => {
    const ws = workspace('listing-');
    const container = testContainer(ws);
    const write = (name: string) =>
      ws.write(`${name}.yaml`, `name: ${name}\nmodel: { encoder: { generated: clip-vit, preset: tiny, seed: 0 } }\ndatasets: [{ name: generated, count: 1, size: 32 }]\nseeds: [1, 0]\nsweep:\n  policy:\n    low: { name: tome, r: 1 }\n    mid: { name: tome, r: 2 }\n    high: { name: tome, r: 3 }\n`);
    const ids: Record<string, string> = {};
    for (const name of ['zeta', 'alpha']) {
      const experiment = loadExperiment(write(name), [], knownNames(container));
      await runExperiment(experiment, container);
      for (const run of planRuns(experiment)) ids[`${name}/${run.labels.policy}/${run.seed}`] = run.id;
    }
    const listed = describeResults(runDirs(ws.results)).trimEnd().split('\n');
    const line = (key: string) => {
      const [, policy, seed] = key.split('/');
      return `  ${ids[key]}  seed ${seed}  done  ${policy}, generated(count=1, size=32)`;
    };
    const runs = (name: string) => ['low', 'mid', 'high'].flatMap((p) => [0, 1].map((s) => line(`${name}/${p}/${s}`)));
    expect(listed).toEqual(['alpha: 6 runs', ...runs('alpha'), 'zeta: 6 runs', ...runs('zeta')]);
  });
});
