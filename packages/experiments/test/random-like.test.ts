import { describe, expect, it } from 'vitest';
import type { Known } from '../src/config/experiment.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { runId } from '../src/plan/run-id.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { testContainer, workspace } from './helpers.ts';

const known: Known = { tasks: { tokens: { inputs: ['dataset'] } }, policies: ['none', 'tome', 'dtome', 'random'], datasets: ['folder', 'generated'], benchmarks: [] };

/** Random rows listed before the row they copy, so the plan has to reorder. */
const SWEEP = `sweep:
  policy:
    random: { name: random, like: DyMU }
    random-seeded: { name: random, like: DyMU, seed: 5 }
    DyMU: { name: dtome, thresholds: [0.9, 0.9, 0.9, 0.9] }
`;

describe('random merging like another row ({ name: random, like: LABEL })', () => {
  const ws = workspace('random-like-');
  const load = (name: string, text: string) => loadExperiment(ws.write(`${name}.yaml`, `name: ${name}\nmodel: { encoder: { generated: clip-vit, preset: tiny, seed: 0 } }\nseeds: [0, 1]\n${text}`), [], known, {});

  it('plans the reference runs first, per seed when they draw from it, and puts the reference id in the run id', () => {
    const drawn = planRuns(load('drawn', `datasets: [{ name: generated, count: 2, size: 64 }]\n${SWEEP}`));
    expect(drawn.map((r) => `${r.labels.policy}/${r.seed}`)).toEqual(['DyMU/0', 'DyMU/1', 'random/0', 'random/1', 'random-seeded/0', 'random-seeded/1']);
    expect(drawn.map((r) => r.point)).toEqual([2, 2, 0, 0, 1, 1]);
    expect(drawn[2].reference).toMatchObject({ id: drawn[0].id, seed: 0 });
    expect(drawn[3].reference).toMatchObject({ id: drawn[1].id, seed: 1 });
    expect(drawn[2].id).toBe(runId(drawn[2].config, 0, drawn[0].id));
    expect(drawn[2].id).not.toBe(runId(drawn[2].config, 0));

    // A fixed input: the reference is shared; a random run with its own seed is shared too, one without draws per seed.
    const fixed = planRuns(load('fixed', `datasets: [{ name: generated, count: 2, size: 64, seed: 3 }]\n${SWEEP}`));
    expect(fixed.map((r) => `${r.labels.policy}/${r.seed}/${r.reference?.id === fixed[0].id}`)).toEqual(['DyMU/null/false', 'random/0/true', 'random/1/true', 'random-seeded/null/true']);
    // Other thresholds for the reference: another reference run, so another random run.
    const other = planRuns(load('other', `datasets: [{ name: generated, count: 2, size: 64, seed: 3 }]\n${SWEEP.replace('0.9, 0.9, 0.9, 0.9', '0.8, 0.9, 0.9, 0.9')}`));
    expect(other[1].id).not.toBe(fixed[1].id);
  });

  it('names the labels when the label is unknown, and refuses a reference that is itself like another row', () => {
    const data = 'datasets: [{ name: generated, count: 2, size: 64 }]\n';
    const unknown = load('unknown', `${data}sweep:\n  policy:\n    random: { name: random, like: DyMU-low }\n    DyMU: { name: dtome, thresholds: [0.9, 0.9, 0.9, 0.9] }\n`);
    expect(() => planRuns(unknown)).toThrow(`${unknown.file}: sweep.policy.random.like: no other row is labelled "DyMU-low" on the same other labels (labels: DyMU, generated(count=2, size=64))`);
    const chained = load('chained', `${data}sweep:\n  policy:\n    a: { name: random, like: b }\n    b: { name: random, like: c }\n    c: { name: tome, r: 2 }\n`);
    expect(() => planRuns(chained)).toThrow(`${chained.file}: sweep.policy.a.like: row "b" takes its counts from another row itself: name a row that merges on its own (e.g. a DToMe row)`);
    const notRandom = load('not-random', `${data}sweep:\n  policy:\n    a: { name: tome, r: 2, like: c }\n    c: { name: tome, r: 2 }\n`);
    expect(() => planRuns(notRandom)).toThrow(`${notRandom.file}: sweep.policy.a.like: only the random policy takes its counts from another row (this one is tome)`);
  });

  it('merges, per image and block, as many tokens as the reference run did for that image (2 seeds), and needs the reference finished', async () => {
    const container = testContainer(ws);
    const experiment = loadExperiment(ws.write('run.yaml', `name: run\nmodel: { encoder: { generated: clip-vit, preset: tiny, seed: 0 } }\nseeds: [0, 1]\ndatasets: [{ name: generated, count: 3, size: 64 }]\nexecution: { batch: 2, chunk: 4 }\n${SWEEP.replace(/ {4}random-seeded.*\n/, '')}`), [], knownNames(container));
    const runs = planRuns(experiment);
    // Only the random run of seed 0 (shard 2 of 4): its reference is not there yet.
    await expect(runExperiment(experiment, container, { shard: { index: 2, count: 4 } })).rejects.toThrow(`takes its token counts from run ${runs[0].id} (DyMU, generated(count=3, size=64), seed 0), which is not finished`);
    await runExperiment(experiment, container);
    const rows = (id: string) => RunDir.of(ws.results, 'run', id).rows();
    for (const [reference, random] of [[runs[0], runs[2]], [runs[1], runs[3]]]) {
      const expected = rows(reference.id);
      const got = rows(random.id);
      expect(got.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      expect(got.map((r) => r.block_counts)).toEqual(expected.map((r) => r.block_counts));
      // DToMe merged a different number of tokens per image: the copy is per image, not one schedule.
      expect(new Set(expected.map((r) => String(r.block_counts))).size).toBeGreaterThan(1);
    }
    // The seeds drew different images, so the two reference runs differ.
    expect(rows(runs[0].id).map((r) => r.block_counts)).not.toEqual(rows(runs[1].id).map((r) => r.block_counts));
  });
});
