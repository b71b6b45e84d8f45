import { DymuError } from '@dymu/core';

/**
 * Validation of untyped input (policy parameters, threshold files, checkpoints): every failure is a
 * DymuError naming the file and the field path (`tome.r[3]`, `blocks[2].threshold`).
 */
export interface Where {
  readonly file?: string;
  readonly field: string;
}

export function at(where: Where, key: string | number): Where {
  const field = typeof key === 'number' ? `${where.field}[${key}]` : where.field ? `${where.field}.${key}` : key;
  return { file: where.file, field };
}

export function fail(where: Where, message: string): never {
  throw new DymuError(message, where);
}

export function object(value: unknown, where: Where, keys?: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(where, `expected an object, got ${describe(value)}`);
  const record = value as Record<string, unknown>;
  const unknown = keys && Object.keys(record).find((k) => !keys.includes(k));
  if (unknown !== undefined) fail(at(where, unknown), `unknown field (expected ${keys!.join(', ')})`);
  return record;
}

export function array(value: unknown, where: Where, length?: number): unknown[] {
  if (!Array.isArray(value)) fail(where, `expected a list, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) fail(where, `expected ${length} entries, got ${value.length}`);
  return value;
}

export function integer(value: unknown, where: Where, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(where, `expected an integer ≥ ${min}, got ${describe(value)}`);
  return value;
}

export function finite(value: unknown, where: Where): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, `expected a finite number, got ${describe(value)}`);
  return value;
}

export function string(value: unknown, where: Where): string {
  if (typeof value !== 'string' || value === '') fail(where, `expected a non-empty string, got ${describe(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, options: readonly T[], where: Where): T {
  if (!options.includes(value as T)) fail(where, `expected one of ${options.join(', ')}, got ${describe(value)}`);
  return value as T;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}
