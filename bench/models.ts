import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@dymu/core';
import { unmergeMap, type UnmergeMap } from '@dymu/vtu';
import { makeLlmModel, makeVitModel, type MakeLlmOptions } from '@dymu/weights';

/** Generated benchmark models, written once under .cache/bench (they are hundreds of MB). */
export function benchModel(arch: 'clip-vit' | 'siglip-vit', preset: string): string {
  const dir = join('.cache', 'bench', `${arch}-${preset}`);
  if (!existsSync(join(dir, 'config.json'))) {
    process.stderr.write(`generating ${arch} ${preset} into ${dir} …\n`);
    makeVitModel({ arch, preset, seed: 0, out: dir });
  }
  return dir;
}

/** Generated LLaMA decoders, written once under .cache/bench (`name` tells the options apart). */
export function benchLlm(name: string, options: Omit<MakeLlmOptions, 'family' | 'seed' | 'out'>): string {
  const dir = join('.cache', 'bench', `llama-${name}`);
  if (!existsSync(join(dir, 'config.json'))) {
    process.stderr.write(`generating llama ${options.preset} into ${dir} …\n`);
    makeLlmModel({ family: 'llama', seed: 0, out: dir, ...options });
  }
  return dir;
}

/** LLaVA-1.5's prompt layout: 35 text tokens, 576 image positions, 20 text tokens; DyMU's mean token counts (Table 2). */
export const [BEFORE, PATCHES, AFTER] = [35, 576, 20];
export const DYMU_COUNTS: [string, number][] = [['DyMU-low', 89], ['DyMU-mid', 195], ['DyMU-high', 394]];

const rng = Rng.stream(0, 'bench-prompts');

/** The prompt's map with `tokens` merged image tokens (a random grouping of the 576 patches), with or without VTU. */
export function promptMap(tokens: number, vtu: boolean): UnmergeMap {
  const source = Int32Array.from(rng.shuffle(Array.from({ length: PATCHES }, (_, p) => (p < tokens ? p : rng.int(tokens)))));
  return unmergeMap([{ kind: 'text', length: BEFORE }, { kind: 'image', tokens, source }, { kind: 'text', length: AFTER }], vtu);
}

export const randomRows = (n: number, width: number): Float32Array => Float32Array.from({ length: n * width }, () => rng.normal());

/**
 * This process's peak resident set, bytes: VmHWM of /proc/self/status. (getrusage's ru_maxrss is
 * not reset by exec on Linux: a child would report at least its parent's peak.)
 */
export function peakRssBytes(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return kb ? Number(kb[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

/**
 * Runs this bench script again in a fresh process with `args` (its own peak RSS, its own loads) and
 * returns the JSON its last stdout line holds; `what` names the measurement in an error.
 */
export function inChild<T>(args: string[], what: string, env: NodeJS.ProcessEnv = process.env): T {
  const out = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env, maxBuffer: 1 << 20 });
  if (out.status !== 0) throw new Error(`the ${what} measurement failed (exit ${out.status})`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as T;
}
