import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * glibc malloc settings under which onnxruntime's large activations are reused from the heap
 * instead of being mapped, unmapped and faulted in again on every run, and freed memory is kept
 * for the next run (docs/benchmarks.md, "Allocation": 1.8× on a ViT-L/14-336, a third less system
 * time). glibc reads them once, when the process starts.
 */
export const ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '4294967296',
  MALLOC_TRIM_THRESHOLD_: '4294967296',
};

/** Whether the allocator was chosen already: ours, or the user's (any MALLOC_* variable or GLIBC_TUNABLES set, or DYMU_ALLOCATOR=system for glibc's defaults). */
export function allocatorChosen(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DYMU_ALLOCATOR === 'system' || Object.keys(env).some((k) => k.startsWith('MALLOC_') || k === 'GLIBC_TUNABLES');
}

/**
 * Starts this same command again with `ALLOCATOR_ENV` when the process was started without a
 * choice of allocator settings (Linux only), forwards SIGINT / SIGTERM / SIGHUP to it, and ends
 * this process as the child ended. Returns at once in a process that already has a choice.
 */
export async function ensureAllocator(): Promise<void> {
  if (process.platform !== 'linux' || allocatorChosen()) return;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...ALLOCATOR_ENV } });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  for (const s of signals) process.off(s, forward);
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}
