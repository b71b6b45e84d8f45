import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container } from 'inversify';
import { createContainer } from '../src/di/container.ts';

/** A progress stream that drops everything. */
export const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

export interface Workspace {
  readonly dir: string;
  readonly cache: string;
  readonly results: string;
  /** Writes a file into the workspace and returns its path. */
  write(name: string, text: string): string;
}

export function workspace(prefix = 'experiments-'): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    cache: join(dir, 'cache'),
    results: join(dir, 'results'),
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
  };
}

/** The full container, quiet (warnings go to `warn`, by default nowhere), writing into the workspace. */
export function testContainer(ws: Workspace, warn: (message: string) => void = () => {}): Container {
  return createContainer({ cache: ws.cache, results: ws.results, progress: quiet, warn });
}

/** A tokens experiment on the tiny generated CLIP and generated images; `extra` is appended YAML. */
export function tinyExperiment(name: string, extra = ''): string {
  return `name: ${name}
model:
  encoder: { generated: clip-vit, preset: tiny, seed: 0 }
datasets:
  - { name: generated, count: 3, size: 64 }
execution: { batch: 4, chunk: 4 }
${extra}`;
}
