/** A DuckDB identifier in double quotes (a quote inside doubled): any column or table name, safely. */
export const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A DuckDB string literal in single quotes (a quote inside doubled). */
export const sqlLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;
