import { describe, expect, it } from 'vitest';
import type { BlockContext, MergePlan, MergePolicy, TokenBatch } from '@dymu/core';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames, lookup } from '../src/di/lookup.ts';
import { ENCODERS, POLICIES, TASKS } from '../src/di/tokens.ts';
import { planRuns } from '../src/plan/plan.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { testContainer, tinyExperiment, workspace } from './helpers.ts';

/** A new merge policy: in block 0, the first k pairs of patch tokens (1+2j and 2+2j) merge, so every image loses k tokens. */
class PairsPolicy implements MergePolicy {
  readonly name = 'pairs';
  readonly usesMatching = false;

  constructor(private readonly k: number) {}

  plan(state: TokenBatch, context: BlockContext): MergePlan | null {
    if (context.block !== 0) return null;
    const T = state.tokens;
    const destination = new Int32Array(state.batch * T);
    for (let b = 0; b < state.batch; b++) {
      for (let t = 0; t < state.lengths[b]; t++) destination[b * T + t] = t === 0 ? 0 : t <= 2 * this.k ? 1 + Math.floor((t - 1) / 2) : t - this.k;
    }
    return { lengths: state.lengths.map((n) => n - this.k), destination };
  }
}

describe('the DI container', () => {
  it('registers every package: encoders by architecture, policies, datasets, benchmarks and tasks by name', () => {
    const container = testContainer(workspace('di-'));
    const known = knownNames(container);
    expect(Object.keys(known.tasks)).toEqual(['tokens', 'benchmark', 'calibrate', 'complexity', 'attention-cost']);
    expect(known.policies).toEqual(expect.arrayContaining(['none', 'tome', 'dtome', 'dtome-range', 'random', 'pool']));
    expect(known.datasets).toEqual(expect.arrayContaining(['folder', 'coco', 'generated']));
    expect(known.benchmarks).toEqual(expect.arrayContaining(['pope', 'mme', 'gqa']));
    expect(lookup(container, ENCODERS, 'siglip', 'encoder architecture').name).toBe('siglip');
    expect(() => lookup(container, TASKS, 'chat', 'task')).toThrow('unknown task "chat" (registered: tokens, benchmark, calibrate, complexity, attention-cost)');
  });

  it('runs a policy added with one class and one registration', async () => {
    const ws = workspace('di-');
    const container = testContainer(ws);
    container.bind(POLICIES).toConstantValue({ name: 'pairs', create: (params) => new PairsPolicy(params.k as number) });
    const file = ws.write('pairs.yaml', tinyExperiment('pairs', 'policy: { name: pairs, k: 5 }\nseeds: [0]\n'));
    const experiment = loadExperiment(file, [], knownNames(container));
    await runExperiment(experiment, container);
    const rows = RunDir.of(ws.results, 'pairs', planRuns(experiment)[0].id).rows();
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(row).toMatchObject({ tokens_cls: 60, tokens: 59, block_counts: [60, 60, 60] });
  });
});
