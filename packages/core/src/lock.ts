import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DymuError } from './errors.ts';
import { STALE_MS, writerGone, type Writer } from './atomic.ts';

/** What a lock file holds: who holds it and since when (`token` tells two holdings apart). */
export interface LockHolder extends Writer {
  readonly started: string;
  readonly token: string;
}

export interface LockOptions {
  /** Wait for the holder to finish (default), or fail at once with an error naming it. */
  readonly wait?: boolean;
  /** Told once when the lock is held by another writer and this one waits (default: stderr). */
  readonly onWait?: (message: string) => void;
  /** How often the holder touches the lock file (default 30 s). */
  readonly heartbeatMs?: number;
  /** A lock of another host untouched for this long is abandoned (default `STALE_MS`, 5 min). */
  readonly staleMs?: number;
  /** How often a waiting writer looks again (default 0.5 s). */
  readonly pollMs?: number;
}

/** A held lock: `release` removes the lock file (when it is still this holder's). */
export interface Lock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): void;
}

/**
 * An exclusive lock on a shared file system (NFS, Lustre, … as Slurm jobs on several hosts see
 * it): the lock file is created with O_EXCL (`wx`), holding host, pid, start time and a token. The
 * holder touches it every `heartbeatMs`. A lock whose holder has gone is taken over: on this host
 * when its process is dead, from another host when its file has not been touched for `staleMs`.
 * Taking over goes through `<path>.break` (also O_EXCL) so that two writers never both remove a
 * lock and one of them a fresh one.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<Lock> {
  const staleMs = options.staleMs ?? STALE_MS;
  let told = false;
  for (;;) {
    const holder: LockHolder = { host: hostname(), pid: process.pid, started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    if (tryCreate(path, holder)) return held(path, holder, options.heartbeatMs ?? 30_000);
    const current = readHolder(path);
    if (current === 'gone') continue;
    if (writerGone(current.holder, current.mtimeMs, staleMs) && breakLock(path, current.text, staleMs)) continue;
    const who = current.holder ? `${current.holder.host} pid ${current.holder.pid} since ${current.holder.started}` : 'an unreadable lock file';
    if (options.wait === false) throw new DymuError(`held by ${who}: another process is writing here; wait for it, or remove the file if that process is gone`, { file: path });
    if (!told) (options.onWait ?? ((m) => process.stderr.write(m)))(`${path}: held by ${who}; waiting for it to finish\n`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** Runs `fn` holding the lock at `path`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  try {
    writeFileSync(path, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The lock file's holder (undefined when unreadable: a holder cut short while writing it) and its last touch; 'gone' when it no longer exists. */
function readHolder(path: string): { holder: LockHolder | undefined; text: string; mtimeMs: number } | 'gone' {
  try {
    const { mtimeMs } = statSync(path);
    const text = readFileSync(path, 'utf8');
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(text) as LockHolder;
    } catch {
      holder = undefined;
    }
    return { holder, text, mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

/**
 * Removes an abandoned lock file if it still holds `text`, under `<path>.break` (itself removed
 * when its writer has gone). False when another writer is breaking the lock right now.
 */
function breakLock(path: string, text: string, staleMs: number): boolean {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker, { host: hostname(), pid: process.pid, started: new Date().toISOString(), token: randomBytes(8).toString('hex') })) {
    const other = readHolder(breaker);
    if (other !== 'gone' && writerGone(other.holder, other.mtimeMs, staleMs)) rmSync(breaker, { force: true });
    return false;
  }
  try {
    const current = readHolder(path);
    if (current !== 'gone' && current.text === text) rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(breaker, { force: true });
  }
}

function held(path: string, holder: LockHolder, heartbeatMs: number): Lock {
  const mine = () => {
    const current = readHolder(path);
    return current !== 'gone' && current.holder?.token === holder.token;
  };
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      if (mine()) utimesSync(path, now, now);
    } catch {
      // the file system hiccuped: the next beat tries again (a lock goes stale only after many missed beats)
    }
  }, heartbeatMs);
  heartbeat.unref();
  return {
    path,
    holder,
    release() {
      clearInterval(heartbeat);
      if (mine()) rmSync(path, { force: true });
    },
  };
}
