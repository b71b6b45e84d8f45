import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { Bool, Field, Float64, Int32, List, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { DymuError, writeFileAtomic } from '@dymu/core';
import type { Cell, Column, ColumnType, Row } from '../tasks/task.ts';

const ARROW_TYPES: Record<ColumnType, () => DataType> = {
  utf8: () => new Utf8(),
  int32: () => new Int32(),
  float64: () => new Float64(),
  bool: () => new Bool(),
  'int32[]': () => new List(new Field('item', new Int32(), true)),
};

/** Rows as an Arrow table with the given column types (missing values are nulls). */
function arrowTable(columns: readonly Column[], rows: readonly Row[]): Table {
  return new Table(Object.fromEntries(columns.map((c) => [c.name, vectorFromArray(rows.map((r) => r[c.name] ?? null), ARROW_TYPES[c.type]())])));
}

/** Writes rows as an Arrow IPC file (what pyarrow.ipc.open_file and polars.read_ipc open), atomically. */
export function writeArrowFile(path: string, columns: readonly Column[], rows: readonly Row[]): void {
  writeFileAtomic(path, tableToIPC(arrowTable(columns, rows), 'file'));
}

/** A result file that cannot be used as it is: `problem` says why; the message adds what to do. */
export class DamagedFileError extends DymuError {
  constructor(
    file: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`damaged (${problem}); \`dymu run\` of its experiment computes the run again`, { file, cause });
  }
}

/** The rows and column types of an Arrow IPC file written by writeArrowFile; a damaged file is a DymuError naming it. */
export function readArrowFile(path: string): { columns: Column[]; rows: Row[] } {
  let table: Table;
  try {
    if (!isWholeArrowFile(path)) throw new Error(`${statSync(path).size} bytes, without the Arrow file markers at both ends`);
    table = tableFromIPC(readFileSync(path));
  } catch (error) {
    throw new DamagedFileError(path, `not a readable Arrow IPC file: ${(error as Error).message}`, error);
  }
  const columns = table.schema.fields.map((f) => ({ name: f.name, type: columnType(f.type, path, f.name) }));
  const vectors = columns.map((c) => table.getChild(c.name)!);
  const rows: Row[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Row = {};
    columns.forEach((c, j) => (row[c.name] = cell(vectors[j].get(i), c.type)));
    rows.push(row);
  }
  return { columns, rows };
}

const MAGIC = Buffer.from('ARROW1');

/** Whether a file starts and ends with the Arrow IPC file markers: a file cut short (or empty) does not. */
export function isWholeArrowFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 2 * MAGIC.length) return false;
    const head = Buffer.alloc(MAGIC.length), tail = Buffer.alloc(MAGIC.length);
    readSync(fd, head, 0, MAGIC.length, 0);
    readSync(fd, tail, 0, MAGIC.length, size - MAGIC.length);
    return head.equals(MAGIC) && tail.equals(MAGIC);
  } finally {
    closeSync(fd);
  }
}

function columnType(type: DataType, file: string, field: string): ColumnType {
  const text = String(type);
  const found = (Object.keys(ARROW_TYPES) as ColumnType[]).find((t) => String(ARROW_TYPES[t]()) === text);
  if (!found) throw new DymuError(`unsupported Arrow type ${text}`, { file, field });
  return found;
}

function cell(value: unknown, type: ColumnType): Cell {
  if (value === null || value === undefined) return null;
  if (type === 'int32[]') return Array.from((value as { toArray(): Int32Array }).toArray());
  return value as Cell;
}
