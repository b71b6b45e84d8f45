import { DymuError } from '@dymu/core';
import { assign, type Layered } from './origins.ts';
import { overrideSource, type Override } from './overrides.ts';
import { sweepAxes } from './sweep.ts';
import { isRecord, parsePath, showPath, startsWith } from './tree.ts';

/**
 * Applies the preset named by `preset` (the last `preset=…` override, else the files): the entries
 * of `presets.<name>` are `path: value` pairs that set fields as overrides do (`models.llava15: {
 * generated: llama }`, `benchmarks.POPE.root: { fixture: pope }`). They apply after `extends` and
 * before the command line's overrides, so an override still wins.
 */
export function applyPreset(config: Layered, overrides: readonly Override[]): Layered {
  const chosen = overrides.findLast((o) => o.path.length === 1 && o.path[0] === 'preset');
  const name = chosen ? ('remove' in chosen ? undefined : chosen.value) : config.tree.preset;
  if (name === undefined || name === null) return config;
  const where = chosen ? { file: overrideSource(chosen.text), field: 'preset' } : config.origins.locate(['preset']);
  const presets = isRecord(config.tree.presets) ? config.tree.presets : {};
  if (typeof name !== 'string' || !isRecord(presets[name])) {
    throw new DymuError(`no preset ${JSON.stringify(name)} (the files define ${Object.keys(presets).join(', ') || 'none'})`, where);
  }
  const swept = sweepAxes(config).flatMap((a) => a.paths);
  const fields = Object.entries(presets[name]).map(([key, value]) => {
    const path = parsePath(key);
    const shadowed = swept.find((s) => startsWith(path, s) || startsWith(s, path));
    if (shadowed) throw new DymuError(`sweep.${showPath(shadowed)} sets this in every run; a preset cannot`, config.origins.locate(['presets', name, key]));
    return { path, value, origin: (sub: readonly (string | number)[]) => config.origins.get(['presets', name, key, ...sub]) };
  });
  return assign(config, fields);
}
