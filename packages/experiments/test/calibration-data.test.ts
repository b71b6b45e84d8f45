// A calibration inside an experiment (resources/calibration.ts): images missing at the start are left
// out and counted, and a resume after the images changed names the change and `dymu run
// --restart-calibrations`, which starts it over.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { VitEncoder } from '@dymu/encoders';
import { makeVitModel } from '@dymu/weights';
import { CALIBRATION_FEATURES, calibratedThresholds, type CalibrationInputs } from '../src/resources/calibration.ts';

const tmp = mkdtempSync(join(tmpdir(), 'dymu-calibration-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const photos = join(import.meta.dirname, '..', '..', '..', 'assets', 'images');

describe('calibration data inside an experiment', () => {
  it('leaves out missing images with a warning, and a resume after they came back names them and the restart option', async () => {
    const { dir } = makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 0, out: join(tmp, 'model') });
    const encoder = await VitEncoder.load(dir, { features: CALIBRATION_FEATURES });
    const images = join(tmp, 'images');
    const names = readdirSync(photos).filter((f) => f.endsWith('.jpg')).sort();
    const copy = (name: string) => copyFileSync(join(photos, name), join(images, name));
    mkdirSync(images);
    names.slice(1).forEach(copy); // all photos but the first
    let warnings = '';
    const progress = new PassThrough();
    progress.on('data', (chunk) => (warnings += chunk));
    let batches = 0;
    const inputs = (crashAfter?: number, restart?: boolean): CalibrationInputs => ({
      spec: { schedule: 'mid', shape: 'constant', dataset: { name: 'folder', dir: images }, count: null, batch: 2, seed: 0, layout: 'official' },
      model: { name: 'clip-tiny', weightsSha256: 'c'.repeat(64), shape: { ...encoder.config, patches: encoder.patches }, pad: false },
      cache: join(tmp, 'cache'),
      images: async () => names.map((name) => ({ id: name, imagePath: join(images, name), source: 'folder' })),
      encoder: async () =>
        ({
          encode: async (...args: Parameters<VitEncoder['encode']>) => {
            if (batches++ === crashAfter) throw new Error('killed');
            return encoder.encode(...args);
          },
        }) as VitEncoder,
      progress: progress as unknown as NodeJS.WriteStream,
      restart,
    });
    await expect(calibratedThresholds(inputs(1))).rejects.toThrow('killed');
    expect(warnings).toContain(`warning: 1 of the ${names.length} calibration images of folder(dir=${images}) is missing and left out before sampling: ${names[0]}`);
    copy(names[0]); // back before the resume
    await expect(calibratedThresholds(inputs())).rejects.toThrow(
      `identity.data: the calibration data changed since this checkpoint was written: 1 image missing then is there now (${names[0]}); run again with dymu run --restart-calibrations to discard it and start over`,
    );
    const path = await calibratedThresholds(inputs(undefined, true));
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.data).toMatchObject({ missing: 0, count: Math.floor(names.length / 2) * 2 });
    expect(file.layout).toBe('official');
  });
});
