import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a file whole or not at all: a temporary file next to it (unique per writer, so two
 * processes never share one), then a rename over it.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

export const isTemporary = (file: string): boolean => file.endsWith('.tmp');
