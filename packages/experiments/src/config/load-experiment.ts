import { resolve } from 'node:path';
import { DymuError } from '@dymu/core';
import type { Experiment, Known } from './experiment.ts';
import { displayPath, loadLayered } from './load.ts';
import { applyOverrides, overrideSource, parseOverride } from './overrides.ts';
import { applyPreset } from './presets.ts';
import { validateExperiment, type Env } from './schema.ts';
import { sweepAxes } from './sweep.ts';
import { showPath, startsWith } from './tree.ts';

/** An experiment file with its extends chain, preset, command-line overrides (`policy.r=8`, …) and sweep, validated. */
export function loadExperiment(file: string, overrides: readonly string[], known: Known, env: Env = process.env): Experiment {
  const parsed = overrides.map(parseOverride);
  const layered = applyOverrides(applyPreset(loadLayered(file), parsed), parsed);
  for (const axis of sweepAxes(layered)) {
    const shadowed = parsed.find((o) => axis.paths.some((path) => startsWith(o.path, path)));
    if (shadowed) throw new DymuError(`is set by sweep.${axis.key} in every run; override the sweep's values instead`, { file: overrideSource(shadowed.text), field: showPath(shadowed.path) });
  }
  return { ...validateExperiment(layered, displayPath(resolve(file)), known, env), overrides: [...overrides] };
}
