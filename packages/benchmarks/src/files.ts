import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DymuError } from '@dymu/core';

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DymuError(`cannot read: ${(cause as Error).message}`, { file, cause });
  }
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(readText(file));
  } catch (cause) {
    if (cause instanceof DymuError) throw cause;
    throw new DymuError(`not valid JSON: ${(cause as Error).message}`, { file, cause });
  }
}

/** One JSON value per non-empty line. */
export function readJsonl(file: string): unknown[] {
  return readText(file).split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line)];
    } catch (cause) {
      throw new DymuError(`not valid JSON: ${(cause as Error).message}`, { file, field: `line ${i + 1}`, cause });
    }
  });
}

/** Writes a file, creating its directory. */
export function writeFile(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

export const writeJson = (file: string, value: unknown): void => writeFile(file, JSON.stringify(value));
export const writeJsonl = (file: string, values: readonly unknown[]): void => writeFile(file, values.map((v) => `${JSON.stringify(v)}\n`).join(''));

/**
 * A record of an official file, read field by field: a missing or mistyped field is a DymuError naming the
 * file, the record and the field, e.g. `v2_OpenEnded_mscoco_val2014_questions.json: questions[3].question_id: expected an integer, got "x"`.
 */
export class Fields {
  readonly value: Record<string, unknown>;

  constructor(readonly file: string, readonly record: string, value: unknown) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail('', 'an object', value);
    this.value = value as Record<string, unknown>;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  string(key: string): string {
    const v = this.value[key];
    return typeof v === 'string' ? v : this.fail(key, 'a string', v);
  }

  /** Absent or null gives undefined. */
  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  integer(key: string): number {
    const v = this.value[key];
    return typeof v === 'number' && Number.isInteger(v) ? v : this.fail(key, 'an integer', v);
  }

  /** An id written as a string or an integer, as text. */
  id(key: string): string {
    const v = this.value[key];
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? String(v) : this.fail(key, 'a string or integer id', v);
  }

  boolean(key: string): boolean {
    const v = this.value[key];
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false', v);
  }

  strings(key: string): string[] {
    const v = this.value[key];
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : this.fail(key, 'a list of strings', v);
  }

  /** A list of records, each read as Fields. */
  records(key: string): Fields[] {
    const v = this.value[key];
    return Array.isArray(v) ? v.map((item, i) => new Fields(this.file, `${this.where(key)}[${i}]`, item)) : this.fail(key, 'a list', v);
  }

  object(key: string): Fields {
    return new Fields(this.file, this.where(key), this.value[key]);
  }

  /** One of `allowed`, compared case-insensitively; returned lower-cased. */
  choice<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key).toLowerCase();
    return (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(key, allowed.map((a) => `"${a}"`).join(' or '), this.value[key]);
  }

  fail(key: string, expected: string, got: unknown): never {
    throw new DymuError(`expected ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`, { file: this.file, field: this.where(key) });
  }

  private where(key: string): string {
    return key === '' || this.record === '' ? this.record || key : `${this.record}.${key}`;
  }
}
