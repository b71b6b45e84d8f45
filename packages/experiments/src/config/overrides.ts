import { parse } from 'yaml';
import { DymuError } from '@dymu/core';
import { assign, type Layered } from './origins.ts';
import { getPath, parsePath, type Path } from './tree.ts';

/** `path=value` sets a field (`+path=value` and `++path=value` too, as in Hydra); `~path` removes one. `text` is the override as given. */
export type Override = { readonly text: string; readonly path: Path } & ({ readonly value: unknown } | { readonly remove: true });

/** How errors name an override: as the file its fields were written in (`command-line override \`modell.x=1\``). */
export function overrideSource(text: string): string {
  return `command-line override \`${text}\``;
}

/**
 * Parses Hydra-style overrides: `policy.r=8`, `seeds=[0,1,2]`, `models.llava15=/data/llava`,
 * `datasets.0.limit=16`, `~limit`. Values are YAML flow values (`8` is a number, `[0,1]` a list,
 * `{name: tome, r: 2}` a map, `null` null, anything else a string).
 */
export function parseOverride(text: string): Override {
  const removal = /^~([^=]+)$/.exec(text);
  if (removal) return { text, path: checkedPath(removal[1], text), remove: true };
  const match = /^\+{0,2}([^=~+][^=]*)=(.*)$/s.exec(text);
  if (!match) throw new DymuError('expected path=value or ~path', { file: overrideSource(text) });
  let value: unknown;
  try {
    value = parse(match[2]);
  } catch (error) {
    throw new DymuError(`cannot read the value as YAML (${(error as Error).message.split('\n')[0]})`, { file: overrideSource(text) });
  }
  return { text, path: checkedPath(match[1], text), value: value ?? null };
}

/**
 * Applies the overrides in order. Each names itself as the origin of what it sets, including the
 * maps it creates on the way (`modell.x=1` wrote `modell`, so an unknown `modell` blames it).
 */
export function applyOverrides(config: Layered, overrides: readonly Override[]): Layered {
  return overrides.reduce((layered, o) => {
    const file = overrideSource(o.text);
    const created = o.path.findIndex((_, n) => n > 0 && getPath(layered.tree, o.path.slice(0, n)) === undefined);
    const next = assign(layered, [{ path: o.path, value: 'remove' in o ? undefined : o.value, origin: (sub: Path) => ({ file, at: [...o.path, ...sub] }) }]);
    if (created > 0 && !('remove' in o)) next.origins.mark(o.path.slice(0, created), { file, at: o.path.slice(0, created) });
    return next;
  }, config);
}

function checkedPath(text: string, override: string): Path {
  const path = parsePath(text.trim());
  if (path.some((key) => key === '')) throw new DymuError(`"${text}" is not a field path (keys joined by dots)`, { file: overrideSource(override) });
  return path;
}
