import { describe, expect, it } from 'vitest';
import { Origins } from '../src/config/origins.ts';
import { applyPoint, sweepAxes, sweepPoints } from '../src/config/sweep.ts';
import { planRuns } from '../src/plan/plan.ts';
import { parseShard, selectShard } from '../src/plan/shard.ts';
import type { RunConfig } from '../src/config/experiment.ts';

const layered = (tree: Record<string, unknown>) => ({ tree, origins: Origins.of('x.yaml') });

describe('sweeps', () => {
  it('expands the grid product, first axis slowest, with labels', () => {
    const config = layered({ policy: 'none', sweep: { policy: { ToMe: { name: 'tome', r: 2 }, none: 'none' }, 'model.pad': [false, true], limit: [10, 20, 30] } });
    const points = sweepPoints(sweepAxes(config));
    expect(points).toHaveLength(12);
    expect(points.map((p) => Object.values(p.labels).join(' '))).toEqual([
      'ToMe false 10', 'ToMe false 20', 'ToMe false 30', 'ToMe true 10', 'ToMe true 20', 'ToMe true 30',
      'none false 10', 'none false 20', 'none false 30', 'none true 10', 'none true 20', 'none true 30',
    ]);
    const point = applyPoint(config, points[4]);
    expect(point.tree).toMatchObject({ policy: { name: 'tome', r: 2 }, model: { pad: true }, limit: 20 });
    expect(point.origins.locate(['policy', 'r'])).toEqual({ file: 'x.yaml', field: 'sweep.policy.ToMe.r' });
    expect(point.origins.locate(['limit'])).toEqual({ file: 'x.yaml', field: 'sweep.limit[1]' });
  });

  it('labels list values by formatting them', () => {
    const axes = sweepAxes(layered({ sweep: { policy: ['none', { name: 'tome', r: 4 }, { name: 'dtome', variant: 'mid' }] } }));
    expect(axes[0].values.map((v) => v.label)).toEqual(['none', 'tome(r=4)', 'dtome(variant=mid)']);
  });

  it('without a sweep there is one point', () => {
    expect(sweepPoints(sweepAxes(layered({})))).toEqual([{ labels: {}, set: [] }]);
  });

  it('rejects empty axes, duplicate labels and fields that are not swept', () => {
    expect(() => sweepAxes(layered({ sweep: { limit: [] } }))).toThrow('x.yaml: sweep.limit: expected at least one value');
    expect(() => sweepAxes(layered({ sweep: { limit: 5 } }))).toThrow('x.yaml: sweep.limit: expected a list of values or a map from labels to values, got 5');
    expect(() => sweepAxes(layered({ sweep: { policy: ['none', 'none'] } }))).toThrow('x.yaml: sweep.policy: two values have the label "none" (give labels with the map form)');
    expect(() => sweepAxes(layered({ sweep: { 'execution.batch': [1, 2] } }))).toThrow(/^x\.yaml: sweep\.execution\.batch: execution cannot be swept/);
  });

  it('plans every configuration × seed, and shards partition the runs', () => {
    const config = (limit: number) => ({ limit, policy: { name: 'none' }, dataset: { name: 'folder', dir: '/images' } }) as unknown as RunConfig; // a limit draws from the seed
    const runs = planRuns({ name: 'limits', points: [10, 20, 30].map((l) => ({ config: config(l), labels: { limit: String(l) }, origins: new Origins() })), seeds: [0, 1, 2] });
    expect(runs.map((r) => `${r.labels.limit}/${r.seed}`)).toEqual(['10/0', '10/1', '10/2', '20/0', '20/1', '20/2', '30/0', '30/1', '30/2']);
    expect(new Set(runs.map((r) => r.id)).size).toBe(9);
    const shards = [0, 1, 2, 3].map((i) => selectShard(runs, parseShard(`${i}/4`)));
    expect(shards.map((s) => s.length)).toEqual([3, 2, 2, 2]);
    expect(shards.flat().map((r) => r.id).sort()).toEqual(runs.map((r) => r.id).sort());
    expect(selectShard(runs, parseShard('1/4'))).toEqual(shards[1]);
    expect(() => parseShard('4/4')).toThrow('--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got "4/4"');
    expect(() => parseShard('1-4')).toThrow('--shard: expected i/n');
  });
});
