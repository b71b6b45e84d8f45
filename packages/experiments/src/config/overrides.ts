import { parse } from 'yaml';
import { DymuError } from '@dymu/core';
import { assign, type Layered } from './origins.ts';
import { parsePath, type Path } from './tree.ts';

/** Overrides come from the command line; errors name it as the file. */
export const COMMAND_LINE = 'command line';

/** `path=value` sets a field (`+path=value` and `++path=value` too, as in Hydra); `~path` removes one. */
export type Override = { readonly path: Path; readonly value: unknown } | { readonly path: Path; readonly remove: true };

/**
 * Parses Hydra-style overrides: `policy.r=8`, `seeds=[0,1,2]`, `models.llava15=/data/llava`,
 * `datasets.0.limit=16`, `~limit`. Values are YAML flow values (`8` is a number, `[0,1]` a list,
 * `{name: tome, r: 2}` a map, `null` null, anything else a string).
 */
export function parseOverride(text: string): Override {
  const removal = /^~([^=]+)$/.exec(text);
  if (removal) return { path: checkedPath(removal[1], text), remove: true };
  const match = /^\+{0,2}([^=~+][^=]*)=(.*)$/s.exec(text);
  if (!match) throw new DymuError('expected path=value or ~path', { file: COMMAND_LINE, field: text });
  let value: unknown;
  try {
    value = parse(match[2]);
  } catch (error) {
    throw new DymuError(`cannot read the value as YAML (${(error as Error).message.split('\n')[0]})`, { file: COMMAND_LINE, field: text });
  }
  return { path: checkedPath(match[1], text), value: value ?? null };
}

export function applyOverrides(config: Layered, overrides: readonly Override[]): Layered {
  return assign(
    config,
    overrides.map((o) => ({ path: o.path, value: 'remove' in o ? undefined : o.value, origin: (sub: Path) => ({ file: COMMAND_LINE, at: [...o.path, ...sub] }) })),
  );
}

function checkedPath(text: string, override: string): Path {
  const path = parsePath(text.trim());
  if (path.some((key) => key === '')) throw new DymuError(`"${text}" is not a field path (keys joined by dots)`, { file: COMMAND_LINE, field: override });
  return path;
}
