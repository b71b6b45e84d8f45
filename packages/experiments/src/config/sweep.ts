import { DymuError } from '@dymu/core';
import { formatValue } from './label.ts';
import { assign, type Layered } from './origins.ts';
import { isRecord, parsePath, type Path } from './tree.ts';

/** The top-level fields a sweep may set: those that decide what a run computes. */
const SWEEPABLE = ['task', 'model', 'policy', 'vtu', 'datasets', 'benchmarks', 'limit', 'calibration', 'models', 'data'];

/** One field set by a sweep value, and where the value was written. */
export interface SweepSet {
  readonly path: Path;
  readonly value: unknown;
  readonly at: Path;
}

/**
 * One axis of the grid: its key, the fields it sets (one path, or several for a key `a+b`), and
 * its values, each with a label (the map key, or the value formatted) and what it sets.
 */
export interface SweepAxis {
  readonly key: string;
  readonly paths: readonly Path[];
  readonly values: readonly { readonly label: string; readonly set: readonly SweepSet[] }[];
}

/** One point of the grid: a label per axis and the fields it sets. */
export interface SweepPoint {
  readonly labels: Readonly<Record<string, string>>;
  readonly set: readonly SweepSet[];
}

/**
 * The axes of `sweep:`: a map from a field path (`policy`, `policy.r`, `model.encoder`) to a
 * non-empty list of values, or to a map from labels to values (`{ ToMe: {name: tome, r: 2}, … }`).
 * A key naming several paths joined by `+` (`policy+vtu`) sets them together: each value is a map
 * from those paths to their values (`ToMe: { policy: tome, vtu: false }`).
 */
export function sweepAxes(config: Layered): SweepAxis[] {
  const sweep = config.tree.sweep;
  const fail = (at: Path, message: string): never => {
    throw new DymuError(message, config.origins.locate(at));
  };
  if (sweep === undefined) return [];
  if (!isRecord(sweep)) return fail(['sweep'], 'expected a map from field paths to lists of values');
  return Object.entries(sweep).map(([key, raw]) => {
    const names = key.split('+');
    const paths = names.map(parsePath);
    for (const path of paths) {
      if (!SWEEPABLE.includes(String(path[0]))) {
        fail(['sweep', key], `${path[0]} cannot be swept (sweep fields of ${SWEEPABLE.join(', ')}${path[0] === 'seeds' ? '; every run is already repeated for each seed' : ''})`);
      }
    }
    const entries: [string, unknown, Path][] = Array.isArray(raw)
      ? raw.map((value, i) => [formatValue(value), value, ['sweep', key, i]])
      : isRecord(raw)
        ? Object.entries(raw).map(([label, value]) => [label, value, ['sweep', key, label]])
        : fail(['sweep', key], `expected a list of values or a map from labels to values, got ${JSON.stringify(raw)}`);
    if (entries.length === 0) fail(['sweep', key], 'expected at least one value');
    const labels = entries.map(([label]) => label);
    const twice = labels.find((label, i) => labels.indexOf(label) !== i);
    if (twice !== undefined) fail(['sweep', key], `two values have the label ${JSON.stringify(twice)} (give labels with the map form)`);
    const values = entries.map(([label, value, at]) => {
      if (paths.length === 1) return { label, set: [{ path: paths[0], value, at }] };
      if (!isRecord(value) || Object.keys(value).some((k) => !names.includes(k))) fail(at, `expected a map from ${names.join(', ')} to their values`);
      const given = value as Record<string, unknown>;
      return { label, set: names.filter((n) => n in given).map((n) => ({ path: paths[names.indexOf(n)], value: given[n], at: [...at, n] })) };
    });
    return { key, paths, values };
  });
}

/** The grid product of the axes, the first axis varying slowest. No axes: one empty point. */
export function sweepPoints(axes: readonly SweepAxis[]): SweepPoint[] {
  return axes.reduce<SweepPoint[]>(
    (points, axis) => points.flatMap((point) => axis.values.map((v) => ({ labels: { ...point.labels, [axis.key]: v.label }, set: [...point.set, ...v.set] }))),
    [{ labels: {}, set: [] }],
  );
}

/** The config at one point of the grid; the swept values keep their origin in `sweep:`. */
export function applyPoint(config: Layered, point: SweepPoint): Layered {
  return assign(config, point.set.map(({ path, value, at }) => ({ path, value, origin: (sub: Path) => config.origins.get([...at, ...sub]) })));
}
