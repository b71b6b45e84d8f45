import { renameSync, writeFileSync } from 'node:fs';

/** Writes a file whole or not at all: a temporary file next to it, then a rename over it. */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
