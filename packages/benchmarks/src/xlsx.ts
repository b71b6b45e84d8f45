import { storedZip } from '@dymu/core';
import { writeFile } from './files.ts';
import { isPandasNa } from './tsv.ts';

export type XlsxCell = string | number | null;

/**
 * Writes one sheet as an .xlsx workbook (Office Open XML in a zip, entries stored uncompressed): numbers as
 * numeric cells, strings as inline strings, null as an empty cell. Enough for the MMBench server, which reads
 * the submission with pandas; no dependency needed.
 */
export function writeXlsx(file: string, header: readonly string[], rows: readonly (readonly XlsxCell[])[]): void {
  const sheetRows = [header, ...rows].map((cells, r) => {
    const xml = cells.map((v, c) => cell(`${column(c)}${r + 1}`, v)).join('');
    return `<row r="${r + 1}">${xml}</row>`;
  });
  const parts: [string, string][] = [
    ['[Content_Types].xml', `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`],
    ['_rels/.rels', `${XML}<Relationships xmlns="${PKG_RELS}"><Relationship Id="rId1" Type="${DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
    ['xl/workbook.xml', `${XML}<workbook xmlns="${MAIN}" xmlns:r="${DOC_RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    ['xl/_rels/workbook.xml.rels', `${XML}<Relationships xmlns="${PKG_RELS}"><Relationship Id="rId1" Type="${DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${DOC_RELS}/styles" Target="styles.xml"/></Relationships>`],
    ['xl/styles.xml', `${XML}<styleSheet xmlns="${MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs></styleSheet>`],
    ['xl/worksheets/sheet1.xml', `${XML}<worksheet xmlns="${MAIN}"><sheetData>${sheetRows.join('')}</sheetData></worksheet>`],
  ];
  writeFile(file, storedZip(parts.map(([name, xml]) => [name, Buffer.from(xml, 'utf8')])));
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const PKG_RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DOC_RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function cell(ref: string, value: XlsxCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return `<c r="${ref}"><v>${value}</v></c>`;
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
}

/** 0 → A, 25 → Z, 26 → AA. */
function column(c: number): string {
  return c < 26 ? String.fromCharCode(65 + c) : column(Math.floor(c / 26) - 1) + column(c % 26);
}

function escapeXml(s: string): string {
  // XML 1.0 cannot hold these characters at all
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"]/g, (c) => ESCAPES[c]);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * VLMEvalKit's evaluation input for a TSV benchmark: the rows answered, with the given columns of the TSV
 * (pandas NaN cells empty) and `prediction`, the raw answer, last.
 */
export function writePredictionSheet(file: string, columns: readonly string[], rows: readonly { id: string; row: Readonly<Record<string, string>> }[], answers: ReadonlyMap<string, string>): void {
  const answered = rows.filter(({ id }) => answers.has(id));
  writeXlsx(file, [...columns, 'prediction'], answered.map(({ id, row }) => [...columns.map((c) => (isPandasNa(row[c]) ? null : row[c])), answers.get(id)!]));
}
