import { DymuError } from '@dymu/core';
import type { Origins } from './origins.ts';
import { getPath, isRecord, parsePath, showPath, type Path } from './tree.ts';

const REF = /\$\{([^}]*)\}/g;

/**
 * Resolves `${...}` in the value at `path` of `root`: `${env:NAME}` (or `${env:NAME,default}`) reads
 * the environment, `${a.b}` another field of the config (resolved in turn). A string that is one
 * reference takes the referenced value whole (a map stays a map); references inside longer strings
 * are spliced in as text.
 */
export function interpolate(root: Record<string, unknown>, path: Path, origins: Origins, env: Readonly<Record<string, string | undefined>>): unknown {
  const resolve = (value: unknown, at: Path, stack: readonly string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, [...at, i], stack));
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, [...at, k], stack)]));
    if (typeof value !== 'string' || !value.includes('${')) return value;
    const fail = (message: string): never => {
      throw new DymuError(message, origins.locate(at));
    };
    const envValue = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
    const lookup = (ref: string): unknown => {
      const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)(?:,(.*))?$/s.exec(ref);
      if (variable) return envValue(variable[1]) ?? variable[2] ?? fail(`\${${ref}}: ${variable[1]} is not set in the environment (set it, or override this field)`);
      if (ref.startsWith('env:')) return fail(`\${${ref}}: expected \${env:NAME} or \${env:NAME,default}`);
      const target = parsePath(ref);
      if (stack.includes(ref)) return fail(`\${${ref}} refers to itself (${[...stack, ref].join(' → ')})`);
      const found = getPath(root, target);
      if (found === undefined) return fail(`\${${ref}}: no field ${showPath(target)} (set it in a file, or on the command line: ${showPath(target)}=…)`);
      return resolve(found, target, [...stack, ref]);
    };
    const whole = /^\$\{([^}]*)\}$/.exec(value);
    if (whole) return lookup(whole[1]);
    return value.replace(REF, (_, ref: string) => {
      const v = lookup(ref);
      if (v !== null && typeof v === 'object') fail(`\${${ref}} is a ${Array.isArray(v) ? 'list' : 'map'} and cannot be part of a string`);
      return String(v);
    });
  };
  return resolve(getPath(root, path), path, []);
}
