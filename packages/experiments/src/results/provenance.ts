import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** Where and with what a run was computed. */
export interface Provenance {
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  /** The workspace packages and the native / data libraries results depend on. */
  readonly versions: Readonly<Record<string, string>>;
  readonly host: { readonly name: string; readonly platform: string; readonly arch: string; readonly cpus: number; readonly cpu: string; readonly memoryGb: number };
}

const LIBRARIES = ['onnxruntime-node', 'sharp', 'apache-arrow', '@duckdb/node-api', 'inversify', 'yaml'];

let cached: Provenance | undefined;

/** Computed once per process. */
export function provenance(): Provenance {
  cached ??= {
    git: gitState(),
    versions: versions(),
    host: { name: hostname(), platform: process.platform, arch: process.arch, cpus: cpus().length, cpu: cpus()[0]?.model ?? '', memoryGb: Math.round(totalmem() / 2 ** 30) },
  };
  return cached;
}

function gitState(): Provenance['git'] {
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd: import.meta.dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git('rev-parse', 'HEAD');
  const status = commit === null ? null : git('status', '--porcelain', '--untracked-files=no');
  return { commit, dirty: status === null ? null : status !== '' };
}

function versions(): Record<string, string> {
  const root = workspaceRoot();
  const out: Record<string, string> = { node: process.version };
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
  for (const dir of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', dir, 'package.json');
    if (existsSync(file)) {
      const { name, version } = read(file);
      out[name] = version;
    }
  }
  for (const name of LIBRARIES) {
    const file = join(root, 'node_modules', name, 'package.json');
    if (existsSync(file)) out[name] = read(file).version;
  }
  return out;
}

/** The directory of the root package.json (the one with workspaces). */
function workspaceRoot(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && 'workspaces' in JSON.parse(readFileSync(file, 'utf8'))) return dir;
  }
  return process.cwd();
}
