import { DymuError } from '@dymu/core';
import type { Origin, Origins } from './origins.ts';
import { isRecord, type Path } from './tree.ts';

/**
 * Typed reads of a config tree. Every failure is a DymuError naming the file the value came from
 * and its field path there: `experiments/x.yaml: policy.r: expected an integer ≥ 0, got "eight"`.
 */
export class Check {
  constructor(private readonly origins: Origins) {}

  /** Where the value at `path` was written. */
  origin(path: Path): Origin {
    return this.origins.get(path);
  }

  fail(path: Path, message: string): never {
    throw new DymuError(message, this.origins.locate(path));
  }

  /** A map; with `keys`, any other key is an error listing the expected ones. */
  record(value: unknown, path: Path, keys?: readonly string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(path, `expected a map, got ${describe(value)}`);
    const unknown = keys && Object.keys(value).find((k) => !keys.includes(k));
    if (unknown !== undefined) this.fail([...path, unknown], `unknown field (expected one of ${keys!.join(', ')})`);
    return value;
  }

  list(value: unknown, path: Path, options: { nonEmpty?: boolean } = {}): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected a list, got ${describe(value)}`);
    if (options.nonEmpty && value.length === 0) this.fail(path, 'expected at least one entry');
    return value;
  }

  string(value: unknown, path: Path): string {
    if (typeof value !== 'string' || value === '') this.fail(path, `expected a non-empty string, got ${describe(value)}`);
    return value;
  }

  integer(value: unknown, path: Path, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}…${max}`}, got ${describe(value)}`);
    }
    return value;
  }

  boolean(value: unknown, path: Path): boolean {
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${describe(value)}`);
    return value;
  }

  oneOf<T extends string>(value: unknown, options: readonly T[], path: Path): T {
    if (!options.includes(value as T)) this.fail(path, `expected one of ${options.join(', ')}, got ${describe(value)}`);
    return value as T;
  }
}

/** `3 problems:` and one indented line per problem. */
export function problemList(problems: readonly string[]): string {
  return `${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
}
