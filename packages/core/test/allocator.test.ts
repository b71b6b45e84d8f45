import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOCATOR_ENV, allocatorChosen } from '../src/index.ts';

const child = join(import.meta.dirname, 'fixtures', 'allocator-child.ts');
function run(env: NodeJS.ProcessEnv, code: number) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_') && k !== 'GLIBC_TUNABLES' && k !== 'DYMU_ALLOCATOR'));
  const out = spawnSync(process.execPath, ['--import', 'tsx', child, String(code), 'x y'], { env: { ...clean, ...env }, encoding: 'utf8' });
  return { status: out.status, lines: out.stdout.trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('ensureAllocator', () => {
  it.runIf(process.platform === 'linux')('starts the command again once with the allocator settings, with its arguments, and exits with its code', () => {
    const { status, lines } = run({}, 3);
    expect(status).toBe(3);
    expect(lines).toEqual([{ mmap: ALLOCATOR_ENV.MALLOC_MMAP_THRESHOLD_, trim: ALLOCATOR_ENV.MALLOC_TRIM_THRESHOLD_, args: ['3', 'x y'] }]);
  });

  it('keeps a process whose allocator was chosen by the user as it is', () => {
    expect(run({ DYMU_ALLOCATOR: 'system' }, 0).lines).toEqual([{ mmap: null, trim: null, args: ['0', 'x y'] }]);
    expect(run({ MALLOC_MMAP_THRESHOLD_: '131072' }, 0).lines).toEqual([{ mmap: '131072', trim: null, args: ['0', 'x y'] }]);
    expect(allocatorChosen({ MALLOC_ARENA_MAX: '2' })).toBe(true);
    expect(allocatorChosen({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0' })).toBe(true);
    expect(allocatorChosen({ PATH: '/bin' })).toBe(false);
  });
});
