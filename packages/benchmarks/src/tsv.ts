import { DymuError } from '@dymu/core';
import { readText } from './files.ts';

export interface Table {
  header: string[];
  /** One object per row, column name → cell text. */
  rows: Record<string, string>[];
}

/**
 * A tab-separated file as pandas `read_table` reads it: the first row names the columns, a field starting
 * with '"' is quoted ('""' inside is a quote, and tabs / newlines inside are data). A row with a different
 * number of fields than the header is an error naming the row, and so is a header without one of the
 * `required` columns.
 */
export function readTsv(file: string, required: readonly string[] = []): Table {
  const text = readText(file).replace(/^\uFEFF/, '');
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new DymuError('a quoted field is never closed', { file, field: `row ${records.length}` });
        field += text.slice(i, q);
        i = q + 1;
        if (text[i] !== '"') break;
        field += '"';
        i++;
      }
    }
    const end = /[\t\r\n]/g;
    end.lastIndex = i;
    const stop = end.exec(text)?.index ?? text.length;
    field += text.slice(i, stop);
    record.push(field);
    i = stop;
    if (text[i] === '\t') i++;
    else {
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    }
  }
  if (record.length > 0) records.push([...record, '']); // the text ended right after a tab
  const [header = [], ...rest] = records;
  const rows = rest.map((cells, r) => {
    if (cells.length !== header.length) {
      throw new DymuError(`has ${cells.length} fields, the header ${header.length}`, { file, field: `row ${r + 1}` });
    }
    return Object.fromEntries(header.map((name, c) => [name, cells[c]]));
  });
  for (const column of required) {
    if (!header.includes(column)) throw new DymuError(`no "${column}" column`, { file, field: 'header' });
  }
  return { header, rows };
}

/** The cell texts pandas `read_table` reads as NaN by default. */
const PANDAS_NA = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);

/** Whether pandas reads the cell as NaN (an absent column counts too). */
export const isPandasNa = (v: string | undefined): boolean => v === undefined || PANDAS_NA.has(v);

/**
 * The base64 image of a row of a VLMEvalKit TSV, which stores a repeated image once: a short image field
 * is the index of the row holding it (`images`: index → image field of every row).
 */
export function tsvImage(image: string, images: ReadonlyMap<string, string>, file: string, where: string): string {
  const base64 = image.length <= 64 ? images.get(image) : image;
  if (base64 === undefined || base64.length <= 64) throw new DymuError(`expected a base64 image or the index of a row with one, got ${JSON.stringify(image.slice(0, 64))}`, { file, field: `${where}: image` });
  return base64;
}
