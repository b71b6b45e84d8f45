import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, removeStaleTemporaries, temporaryName, temporaryWriter, withLock, writeFileAtomic } from '../src/index.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'lock-'));
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
const old = (path: string, ms: number) => utimesSync(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

describe('temporary names', () => {
  it('differ across hosts, processes and calls, and name their writer', () => {
    const names = [
      temporaryName('/r/rows-000064.arrow', { host: 'node1.cluster', pid: 42 }),
      temporaryName('/r/rows-000064.arrow', { host: 'node2.cluster', pid: 42 }),
      temporaryName('/r/rows-000064.arrow', { host: 'node1.cluster', pid: 43 }),
      temporaryName('/r/rows-000064.arrow', { host: 'node1.cluster', pid: 42 }),
    ];
    expect(new Set(names).size).toBe(4);
    expect(names.map((n) => temporaryWriter(n))).toEqual([
      { host: 'node1.cluster', pid: 42 },
      { host: 'node2.cluster', pid: 42 },
      { host: 'node1.cluster', pid: 43 },
      { host: 'node1.cluster', pid: 42 },
    ]);
    expect(temporaryName('/r/x.json')).toMatch(new RegExp(`^/r/x\\.json~${hostname().replaceAll('.', '\\.')}~${process.pid}~[0-9a-f]{8}\\.tmp$`));
  });

  it('writeFileAtomic leaves no temporary file behind', () => {
    const dir = scratch();
    writeFileAtomic(join(dir, 'a.json'), 'x');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('removes the temporaries of gone writers only', () => {
    const dir = scratch();
    const deadHere = temporaryName(join(dir, 'a'), { host: hostname(), pid: Number(deadPid()) });
    const liveHere = temporaryName(join(dir, 'b'), { host: hostname(), pid: process.pid });
    const freshElsewhere = temporaryName(join(dir, 'c'), { host: 'elsewhere', pid: 1 });
    const oldElsewhere = temporaryName(join(dir, 'd'), { host: 'elsewhere', pid: 1 });
    const other = join(dir, 'notes.tmp'); // not a temporary name of ours: never touched
    for (const f of [deadHere, liveHere, freshElsewhere, other]) writeFileSync(f, '');
    old(other, 10_000);
    mkdirSync(oldElsewhere); // a temporary directory (a generated model being written)
    writeFileSync(join(oldElsewhere, 'config.json'), '{}');
    old(oldElsewhere, 10_000);
    expect(removeStaleTemporaries(dir, 5_000).sort()).toEqual([deadHere, oldElsewhere].map((f) => f.slice(dir.length + 1)).sort());
    expect(readdirSync(dir).map((f) => join(dir, f)).sort()).toEqual([liveHere, freshElsewhere, other].sort());
  });
});

describe('acquireLock', () => {
  it('holds host, pid and start time; a second writer fails naming the holder, or waits for it', async () => {
    const path = join(scratch(), 'LOCK');
    const lock = await acquireLock(path);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ host: hostname(), pid: process.pid, started: lock.holder.started });
    await expect(acquireLock(path, { wait: false })).rejects.toThrow(`${path}: held by ${hostname()} pid ${process.pid} since ${lock.holder.started}`);
    const messages: string[] = [];
    const order: string[] = [];
    const second = withLock(path, async () => void order.push('second'), { pollMs: 10, onWait: (m) => messages.push(m) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('first released');
    lock.release();
    await second;
    expect(order).toEqual(['first released', 'second']);
    expect(messages).toEqual([`${path}: held by ${hostname()} pid ${process.pid} since ${lock.holder.started}; waiting for it to finish\n`]);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over the lock of a dead process on this host at once', async () => {
    const path = join(scratch(), 'LOCK');
    writeFileSync(path, JSON.stringify({ host: hostname(), pid: Number(deadPid()), started: '2020-01-01T00:00:00.000Z', token: 'x' }));
    const lock = await acquireLock(path, { wait: false });
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over the lock of another host once its heartbeat is older than staleMs, not before', async () => {
    const path = join(scratch(), 'LOCK');
    writeFileSync(path, JSON.stringify({ host: 'elsewhere', pid: process.pid, started: '2020-01-01T00:00:00.000Z', token: 'x' }));
    old(path, 2_000);
    await expect(acquireLock(path, { wait: false, staleMs: 60_000 })).rejects.toThrow('held by elsewhere pid');
    const lock = await acquireLock(path, { wait: false, staleMs: 1_000 });
    expect(JSON.parse(readFileSync(path, 'utf8')).host).toBe(hostname());
    lock.release();
  });

  it('keeps its heartbeat going while held, so other hosts do not take it over', async () => {
    const path = join(scratch(), 'LOCK');
    const lock = await acquireLock(path, { heartbeatMs: 20 });
    old(path, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(1_000);
    lock.release();
  });
});
