import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../src/config/experiment.ts';
import { runId } from '../src/plan/run-id.ts';

const config: RunConfig = {
  task: 'tokens',
  model: { encoder: { generated: 'clip-vit', preset: 'tiny', seed: 0 }, llm: null, features: 'llava', pad: false },
  policy: { name: 'tome', r: 2 },
  vtu: true,
  limit: null,
  dataset: { name: 'generated', count: 4 },
};

/** The same object with keys in reverse order at every level. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
}

describe('run ids', () => {
  it('are the first 16 hex digits of sha256 over the config and seed as canonical JSON', () => {
    const text =
      '{"config":{"dataset":{"count":4,"name":"generated"},"limit":null,' +
      '"model":{"encoder":{"generated":"clip-vit","preset":"tiny","seed":0},"features":"llava","llm":null,"pad":false},' +
      '"policy":{"name":"tome","r":2},"task":"tokens","vtu":true},"seed":0}';
    expect(runId(config, 0)).toBe(createHash('sha256').update(text).digest('hex').slice(0, 16));
    // A change here means every finished run would be recomputed: only change it on purpose.
    expect(runId(config, 0)).toBe('bd7709530c4abdd1');
  });

  it('do not depend on key order', () => {
    expect(JSON.stringify(reversed(config))).not.toBe(JSON.stringify(config));
    expect(runId(reversed(config) as RunConfig, 1)).toBe(runId(config, 1));
  });

  it('change with any value and with the seed', () => {
    const id = runId(config, 0);
    const variants: RunConfig[] = [
      { ...config, policy: { name: 'tome', r: 3 } },
      { ...config, policy: { name: 'tome', r: '2' } },
      { ...config, vtu: false },
      { ...config, limit: 10 },
      { ...config, task: 'benchmark' },
      { ...config, model: { ...config.model, pad: true } },
      { ...config, model: { ...config.model, encoder: { generated: 'clip-vit', preset: 'tiny', seed: 1 } } },
      { ...config, dataset: { name: 'generated', count: 4, size: 64 } },
    ];
    const ids = variants.map((v) => runId(v, 0));
    expect(new Set([id, ...ids]).size).toBe(variants.length + 1);
    expect(runId(config, 1)).not.toBe(id);
  });
});
