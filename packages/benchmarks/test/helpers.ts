import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, expect } from 'vitest';
import type { Benchmark, BenchmarkSample, Judge, JudgeRequest } from '../src/index.ts';

/** A fresh directory per call under one temp root, removed after the file's tests. */
export function fixtureDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `dymu-${prefix}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => {
    const dir = join(root, `d${n++}`);
    mkdirSync(dir);
    return dir;
  };
}

/** Writes a file (creating directories): text, bytes, or a value as JSON. */
export function put(path: string, content: string | Uint8Array | object): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  return path;
}

export const jsonl = (rows: readonly object[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

/** A valid 1×1 RGB PNG. */
export function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 200, 30, 30]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function collect(benchmark: Benchmark, limit?: number): Promise<BenchmarkSample[]> {
  const out: BenchmarkSample[] = [];
  for await (const s of benchmark.samples({ limit })) out.push(s);
  return out;
}

/** A Judge double answering from a list, recording the requests. */
export function scriptedJudge(answers: string[]): Judge & { seen: JudgeRequest[] } {
  const seen: JudgeRequest[] = [];
  return { model: 'double', seen, complete: async (r) => (seen.push(r), answers.shift() ?? '') };
}

/** A copy of a committed fixture folder (test/fixtures/<name>) in a fresh directory. */
export function fixtureCopy(newDir: () => string, name: string): string {
  const dir = newDir();
  cpSync(join(import.meta.dirname, 'fixtures', name), dir, { recursive: true });
  return dir;
}

/** The entries of a zip of stored files, checking each CRC. */
export function readZip(zip: Buffer): Map<string, string> {
  const entries = new Map<string, string>();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const data = zip.subarray(local + 30 + zip.readUInt16LE(local + 26), local + 30 + zip.readUInt16LE(local + 26) + size);
    expect(crc32(data)).toBe(zip.readUInt32LE(at + 16));
    entries.set(name, data.toString('utf8'));
    at += 46 + nameLength;
  }
  return entries;
}
