import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..', '..');

/** The dymu CLI as a user starts it (bin/dymu.js), as a child process with one onnxruntime thread. */
export function dymu(...args: string[]): { code: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, [join(root, 'packages/cli/bin/dymu.js'), ...args], { encoding: 'utf8', env: { ...process.env, DYMU_THREADS: '1' } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}
