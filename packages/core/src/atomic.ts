import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * How long a file of a process on another host may go untouched before it counts as abandoned
 * (a lock's heartbeat, a temporary file): processes on this host are asked directly whether they
 * still live. Clocks of the hosts sharing a file system must agree to well within this.
 */
export const STALE_MS = 5 * 60_000;

/** The writer a lock or temporary file belongs to. */
export interface Writer {
  readonly host: string;
  readonly pid: number;
}

const TEMPORARY = /~([^~/]+)~(\d+)~[0-9a-f]+\.tmp$/;

/**
 * A name next to `path` for a temporary file or directory of this process, unique across hosts
 * and processes sharing a file system: `<path>~<host>~<pid>~<random>.tmp`.
 */
export function temporaryName(path: string, writer: Writer = { host: hostname(), pid: process.pid }): string {
  return `${path}~${writer.host.replaceAll(/[~/]/g, '_')}~${writer.pid}~${randomBytes(4).toString('hex')}.tmp`;
}

/** The writer of a temporary name (undefined for any other name). */
export function temporaryWriter(file: string): Writer | undefined {
  const match = TEMPORARY.exec(file);
  return match ? { host: match[1], pid: Number(match[2]) } : undefined;
}

/** Whether a process of this host lives (a process of another user counts as alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a writer has gone: on this host, its process is dead; on another host (or unknown), its
 * file was last touched more than `staleMs` ago.
 */
export function writerGone(writer: Writer | undefined, mtimeMs: number, staleMs = STALE_MS): boolean {
  if (writer && writer.host === hostname()) return !processAlive(writer.pid);
  return Date.now() - mtimeMs > staleMs;
}

/**
 * Writes a file whole or not at all: a temporary file next to it (`temporaryName`, so two
 * processes, on one host or several, never share one), then a rename over it.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = temporaryName(path);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * A directory written whole or not at all, once, in two steps: `temporaryDirectory(dir)` gives a
 * temporary name next to it (`temporaryName`; temporaries of writers that have gone are removed
 * first) to fill, `commitDirectory` renames it into place — or, when another process got there
 * first, keeps that one and removes this one.
 */
export function temporaryDirectory(dir: string): string {
  mkdirSync(dirname(dir), { recursive: true });
  removeStaleTemporaries(dirname(dir));
  return temporaryName(dir);
}

export function commitDirectory(temporary: string, dir: string): void {
  try {
    renameSync(temporary, dir);
  } catch (error) {
    if (!existsSync(dir)) throw error;
    rmSync(temporary, { recursive: true, force: true });
  }
}

/**
 * Removes the temporary files and directories in `dir` (named by `temporaryName`) whose writers
 * have gone (`writerGone`); those of live writers, and any other file, are left alone. Returns the
 * names removed.
 */
export function removeStaleTemporaries(dir: string, staleMs = STALE_MS): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const writer = temporaryWriter(name);
    if (!writer) continue;
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && writerGone(writer, stat.mtimeMs, staleMs)) {
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
