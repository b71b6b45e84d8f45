import { describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import { Origins, relocated } from '../src/config/origins.ts';
import { applyOverrides, parseOverride } from '../src/config/overrides.ts';
import { getPath, parseShownPath, showPath } from '../src/config/tree.ts';

describe('origins of run-config fields', () => {
  const written = applyOverrides({ tree: { sweep: { policy: { D: { name: 'dtome', thresholds: [0.1, 0.2] } } } }, origins: Origins.of('x.yaml') }, [parseOverride('sweep.policy.D.blocks=[0, 1]')]);
  const run = Origins.at(written.origins.get([]));
  run.replace(['policy'], getPath(written.tree, ['sweep', 'policy', 'D']), (sub) => written.origins.get(['sweep', 'policy', 'D', ...sub]));

  it('reads back what showPath shows', () => {
    for (const path of [['r'], ['thresholds', 3], ['images', 0, 'blockCounts', 2], []]) expect(parseShownPath(showPath(path))).toEqual(path);
  });

  it("moves an implementation's error about a parameter to where that parameter was written", () => {
    const thresholds = relocated(new DymuError('expected a number, got "x"', { file: 'x.yaml', field: 'dtome.thresholds[1]' }), 'x.yaml', 'dtome', run, ['policy']);
    expect((thresholds as Error).message).toBe('x.yaml: sweep.policy.D.thresholds[1]: expected a number, got "x"');
    const blocks = relocated(new DymuError('expected first ≤ last', { file: 'x.yaml', field: 'dtome.blocks' }), 'x.yaml', 'dtome', run, ['policy']);
    expect((blocks as Error).message).toBe('command-line override `sweep.policy.D.blocks=[0, 1]`: sweep.policy.D.blocks: expected first ≤ last');
    const whole = relocated(new DymuError('give either thresholds or file', { file: 'x.yaml', field: 'dtome' }), 'x.yaml', 'dtome', run, ['policy']);
    expect((whole as Error).message).toBe('x.yaml: sweep.policy.D: give either thresholds or file');
  });

  it("puts the parameters' place in front of an error about another file, and leaves other errors alone", () => {
    const other = relocated(new DymuError('cannot read', { file: '/t.json' }), 'x.yaml', 'dtome', run, ['policy']);
    expect((other as Error).message).toBe('x.yaml: sweep.policy.D: /t.json: cannot read');
    const bug = new TypeError('x is undefined');
    expect(relocated(bug, 'x.yaml', 'dtome', run, ['policy'])).toBe(bug);
  });

  it('under(path) addresses the origins of a subtree from there', () => {
    const policy = run.under(['policy']);
    expect(policy.locate(['blocks', 1])).toEqual({ file: 'command-line override `sweep.policy.D.blocks=[0, 1]`', field: 'sweep.policy.D.blocks[1]' });
    expect(policy.locate(['name'])).toEqual({ file: 'x.yaml', field: 'sweep.policy.D.name' });
    expect(policy.files()).toEqual(new Set(['x.yaml', 'command-line override `sweep.policy.D.blocks=[0, 1]`']));
  });
});
