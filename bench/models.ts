import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeVitModel } from '@dymu/weights';

/** Generated benchmark models, written once under .cache/bench (they are hundreds of MB). */
export function benchModel(arch: 'clip-vit' | 'siglip-vit', preset: string): string {
  const dir = join('.cache', 'bench', `${arch}-${preset}`);
  if (!existsSync(join(dir, 'config.json'))) {
    process.stderr.write(`generating ${arch} ${preset} into ${dir} …\n`);
    makeVitModel({ arch, preset, seed: 0, out: dir });
  }
  return dir;
}
