import { describe, expect, it } from 'vitest';
import { Origins } from '../src/config/origins.ts';
import { applyOverrides, parseOverride } from '../src/config/overrides.ts';

describe('command-line overrides', () => {
  it('parses Hydra-style path=value with YAML values', () => {
    expect(parseOverride('policy.r=8')).toEqual({ path: ['policy', 'r'], value: 8 });
    expect(parseOverride('seeds=[0,1,2]')).toEqual({ path: ['seeds'], value: [0, 1, 2] });
    expect(parseOverride('policy={name: tome, r: 2}')).toEqual({ path: ['policy'], value: { name: 'tome', r: 2 } });
    expect(parseOverride('models.llava15=/data/llava-v1.5-7b')).toEqual({ path: ['models', 'llava15'], value: '/data/llava-v1.5-7b' });
    expect(parseOverride('model.encoder=${env:DYMU_MODELS}/clip')).toEqual({ path: ['model', 'encoder'], value: '${env:DYMU_MODELS}/clip' });
    expect(parseOverride('vtu=false')).toEqual({ path: ['vtu'], value: false });
    expect(parseOverride('limit=null')).toEqual({ path: ['limit'], value: null });
    expect(parseOverride('limit=')).toEqual({ path: ['limit'], value: null });
    expect(parseOverride('datasets.0.count=16')).toEqual({ path: ['datasets', 0, 'count'], value: 16 });
    expect(parseOverride('name=a=b')).toEqual({ path: ['name'], value: 'a=b' });
    expect(parseOverride('+policy.shape=linear')).toEqual({ path: ['policy', 'shape'], value: 'linear' });
    expect(parseOverride('++limit=3')).toEqual({ path: ['limit'], value: 3 });
    expect(parseOverride('~limit')).toEqual({ path: ['limit'], remove: true });
  });

  it('rejects what is not an override, naming it', () => {
    expect(() => parseOverride('limit')).toThrow('command line: limit: expected path=value or ~path');
    expect(() => parseOverride('=3')).toThrow('command line: =3: expected path=value or ~path');
    expect(() => parseOverride('a..b=1')).toThrow('command line: a..b=1: "a..b" is not a field path (keys joined by dots)');
    expect(() => parseOverride('seeds=[0,1')).toThrow(/^command line: seeds=\[0,1: cannot read the value as YAML/);
  });

  it('sets, creates and removes fields; later overrides win; origins point at the command line', () => {
    const config = { tree: { policy: { name: 'tome', r: 2 }, limit: 5, datasets: [{ name: 'a' }, { name: 'b' }] }, origins: Origins.of('x.yaml') };
    const out = applyOverrides(config, ['policy.r=8', 'policy.shape=linear', '~limit', 'datasets.1.name=c', 'policy.r=9'].map(parseOverride));
    expect(out.tree).toEqual({ policy: { name: 'tome', r: 9, shape: 'linear' }, datasets: [{ name: 'a' }, { name: 'c' }] });
    expect(config.tree.policy.r).toBe(2);
    expect(out.origins.locate(['policy', 'r'])).toEqual({ file: 'command line', field: 'policy.r' });
    expect(out.origins.locate(['policy', 'name'])).toEqual({ file: 'x.yaml', field: 'policy.name' });
    expect(out.origins.locate(['datasets', 1, 'name'])).toEqual({ file: 'command line', field: 'datasets[1].name' });
  });
});
