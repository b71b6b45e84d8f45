import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { DymuError } from '@dymu/core';
import { mergeLayer, Origins, type Layered } from './origins.ts';
import { isRecord } from './tree.ts';

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** One YAML file as a map (errors name the file, with YAML's line and column). */
export function readYamlFile(file: string): Record<string, unknown> {
  const name = displayPath(file);
  if (!existsSync(file)) throw new DymuError('not found', { file: name });
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) throw new DymuError(`invalid YAML: ${doc.errors[0].message}`, { file: name });
  const value = doc.toJS() ?? {};
  if (!isRecord(value)) throw new DymuError('expected a map of fields at the top level', { file: name });
  return value;
}

/**
 * An experiment file with its `extends:` chain composed: each base (a path relative to the file
 * naming it, or a list of them, applied in order) is loaded first and the file's own fields are
 * merged over it (maps key by key; lists and values replace).
 */
export function loadLayered(file: string, seen: readonly string[] = []): Layered {
  const path = resolve(file);
  const name = displayPath(path);
  if (seen.includes(path)) throw new DymuError(`extends itself (${[...seen, path].map(displayPath).join(' → ')})`, { file: name, field: 'extends' });
  const { extends: bases, ...own } = readYamlFile(path);
  let layered: Layered = { tree: {}, origins: new Origins() };
  for (const base of baseList(bases, name)) layered = mergeLayer(layered, loadLayered(resolve(dirname(path), base), [...seen, path]));
  return mergeLayer(layered, { tree: own, origins: Origins.of(name) });
}

function baseList(value: unknown, file: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') throw new DymuError(`expected a file name, got ${JSON.stringify(v)}`, { file, field: Array.isArray(value) ? `extends[${i}]` : 'extends' });
  });
  return list as string[];
}
