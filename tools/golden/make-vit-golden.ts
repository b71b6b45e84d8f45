/**
 * Regenerates packages/encoders/test/golden/vit-{clip,siglip}-tiny.json: the golden outputs of the
 * independent PyTorch reference (tools/golden/vit_reference.py) for the generated tiny CLIP and
 * SigLIP towers (seed 0) on two fixed photos, preprocessed by our (PIL-exact) preprocessing.
 * The JSON also records the sha256 of the weights and of the pixels, so the parity test can tell
 * "the generator or preprocessing changed: rerun this script" from "the forward is wrong".
 *
 * Needs Python 3 with torch and numpy (Debian: apt-get install python3-torch python3-numpy):
 *   npx tsx tools/golden/make-vit-golden.ts        (PYTHON=/usr/bin/python3 by default)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@dymu/core';
import { preprocessBatch } from '@dymu/encoders';
import { makeVitModel, readPreprocessorConfig } from '@dymu/weights';

const GOLDEN_IMAGES = ['astronaut.jpg', 'coffee.jpg'];
const root = join(import.meta.dirname, '..', '..');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'vit-golden-'));

for (const arch of ['clip-vit', 'siglip-vit'] as const) {
  const { dir, config } = makeVitModel({ arch, preset: 'tiny', seed: 0, out: join(work, arch) });
  const images = GOLDEN_IMAGES.map((f) => join(root, 'assets', 'images', f));
  const { pixels } = await preprocessBatch(images, readPreprocessorConfig(dir, config));
  const pixelFile = join(work, `${arch}.f32`);
  writeFileSync(pixelFile, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  const outFile = join(work, `${arch}.json`);
  const run = spawnSync(python, [join(root, 'tools/golden/vit_reference.py'), '--model', dir, '--pixels', pixelFile, '--batch', String(images.length), '--out', outFile], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`${python} vit_reference.py failed for ${arch}`);
  const reference = JSON.parse(readFileSync(outFile, 'utf8'));
  const golden = {
    generator: { arch, preset: 'tiny', seed: 0 },
    images: GOLDEN_IMAGES,
    weightsSha256: sha256(readFileSync(join(dir, 'model.safetensors'))),
    pixelsSha256: sha256(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)),
    ...reference,
  };
  const target = join(root, 'packages/encoders/test/golden', `vit-${arch.split('-')[0]}-tiny.json`);
  writeFileSync(target, JSON.stringify(golden));
  console.log(`wrote ${target}`);
}
