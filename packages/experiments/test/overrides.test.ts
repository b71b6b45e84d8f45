import { describe, expect, it } from 'vitest';
import { Origins } from '../src/config/origins.ts';
import { applyOverrides, parseOverride } from '../src/config/overrides.ts';

/** An override without the text it was parsed from. */
const parsed = (text: string) => {
  const { text: given, ...rest } = parseOverride(text);
  expect(given).toBe(text);
  return rest;
};

describe('command-line overrides', () => {
  it('parses Hydra-style path=value with YAML values', () => {
    expect(parsed('policy.r=8')).toEqual({ path: ['policy', 'r'], value: 8 });
    expect(parsed('seeds=[0,1,2]')).toEqual({ path: ['seeds'], value: [0, 1, 2] });
    expect(parsed('policy={name: tome, r: 2}')).toEqual({ path: ['policy'], value: { name: 'tome', r: 2 } });
    expect(parsed('models.llava15=/data/llava-v1.5-7b')).toEqual({ path: ['models', 'llava15'], value: '/data/llava-v1.5-7b' });
    expect(parsed('model.encoder=${env:DYMU_MODELS}/clip')).toEqual({ path: ['model', 'encoder'], value: '${env:DYMU_MODELS}/clip' });
    expect(parsed('vtu=false')).toEqual({ path: ['vtu'], value: false });
    expect(parsed('limit=null')).toEqual({ path: ['limit'], value: null });
    expect(parsed('limit=')).toEqual({ path: ['limit'], value: null });
    expect(parsed('datasets.0.count=16')).toEqual({ path: ['datasets', 0, 'count'], value: 16 });
    expect(parsed('name=a=b')).toEqual({ path: ['name'], value: 'a=b' });
    expect(parsed('+policy.shape=linear')).toEqual({ path: ['policy', 'shape'], value: 'linear' });
    expect(parsed('++limit=3')).toEqual({ path: ['limit'], value: 3 });
    expect(parsed('~limit')).toEqual({ path: ['limit'], remove: true });
  });

  it('rejects what is not an override, naming it', () => {
    expect(() => parseOverride('limit')).toThrow('command-line override `limit`: expected path=value or ~path');
    expect(() => parseOverride('=3')).toThrow('command-line override `=3`: expected path=value or ~path');
    expect(() => parseOverride('a..b=1')).toThrow('command-line override `a..b=1`: "a..b" is not a field path (keys joined by dots)');
    expect(() => parseOverride('seeds=[0,1')).toThrow(/^command-line override `seeds=\[0,1`: cannot read the value as YAML/);
  });

  it('sets, creates and removes fields; later overrides win; origins point at the command line', () => {
    const config = { tree: { policy: { name: 'tome', r: 2 }, limit: 5, datasets: [{ name: 'a' }, { name: 'b' }] }, origins: Origins.of('x.yaml') };
    const out = applyOverrides(config, ['policy.r=8', 'policy.shape=linear', '~limit', 'datasets.1.name=c', 'policy.r=9'].map(parseOverride));
    expect(out.tree).toEqual({ policy: { name: 'tome', r: 9, shape: 'linear' }, datasets: [{ name: 'a' }, { name: 'c' }] });
    expect(config.tree.policy.r).toBe(2);
    expect(out.origins.locate(['policy', 'r'])).toEqual({ file: 'command-line override `policy.r=9`', field: 'policy.r' });
    expect(out.origins.locate(['policy', 'name'])).toEqual({ file: 'x.yaml', field: 'policy.name' });
    expect(out.origins.locate(['datasets', 1, 'name'])).toEqual({ file: 'command-line override `datasets.1.name=c`', field: 'datasets[1].name' });
  });
});
