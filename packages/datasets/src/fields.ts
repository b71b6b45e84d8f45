import { DymuError } from '@dymu/core';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Typed reads of one record's fields. Every problem is a DymuError naming the file and the field
 * under the record (`llava_v1_5_mix665k.json: [3].conversations[1].value: expected a string, got 7`).
 */
export class Fields {
  readonly value: Json;

  constructor(
    value: unknown,
    readonly file: string,
    /** The record, as `JsonMember.field` names it. */
    readonly at: string,
  ) {
    if (!isObject(value)) throw new DymuError(`expected an object, got ${show(value)}`, { file, field: at });
    this.value = value;
  }

  fail(name: string, expected: string): never {
    const v = this.value[name];
    throw new DymuError(v === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${show(v)}`, { file: this.file, field: `${this.at}.${name}` });
  }

  has(name: string): boolean {
    return this.value[name] !== undefined && this.value[name] !== null;
  }

  string(name: string): string {
    const v = this.value[name];
    return typeof v === 'string' ? v : this.fail(name, 'a string');
  }

  /** A non-negative integer. */
  int(name: string): number {
    const v = this.value[name];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : this.fail(name, 'a non-negative integer');
  }

  /** A non-negative integer or null. */
  intOrNull(name: string): number | null {
    return this.value[name] === null ? null : this.int(name);
  }

  /** A string or a non-negative integer, as a string (ids that some files write either way). */
  id(name: string): string {
    const v = this.value[name];
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0) ? String(v) : this.fail(name, 'a string or integer id');
  }

  strings(name: string): string[] {
    const v = this.value[name];
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : this.fail(name, 'an array of strings');
  }

  /** Each element of an array field, as Fields named `name[i]`. */
  objects(name: string): Fields[] {
    const v = this.value[name];
    if (!Array.isArray(v)) return this.fail(name, 'an array');
    return v.map((item, i) => new Fields(item, this.file, `${this.at}.${name}[${i}]`));
  }

  object(name: string): Json {
    const v = this.value[name];
    return isObject(v) ? v : this.fail(name, 'an object');
  }
}
