import { readFileSync, writeFileSync } from 'node:fs';
import { canonicalJson, DymuError } from '@dymu/core';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON file holding an object; any problem is a DymuError naming the file. */
export function readJson(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DymuError(`cannot read: ${(cause as Error).message}`, { file, cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DymuError(`not valid JSON: ${(cause as Error).message}`, { file, cause });
  }
  if (!isObject(value)) throw new DymuError('expected a JSON object', { file });
  return value;
}

/** Writes JSON as transformers does: keys sorted, two-space indent, final newline. */
export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`);
}

export function positiveInt(value: unknown, file: string, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new DymuError(`expected a positive integer, got ${JSON.stringify(value)}`, { file, field });
}

export function positiveNumber(value: unknown, file: string, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new DymuError(`expected a positive number, got ${JSON.stringify(value)}`, { file, field });
}
