import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { LLAVA_FEATURES, VitEncoder } from '@dymu/encoders';
import { makeVitModel } from '@dymu/weights';
import { encodeAndReport } from '../report.ts';

interface Args {
  cache: string;
}

const ASSETS = resolve(import.meta.dirname, '../../../../assets/images');

/** The embedded default: generated tiny CLIP and SigLIP towers (no download) on the images the repository ships. */
export const quickstartCommand: CommandModule<object, Args> = {
  command: 'quickstart',
  describe: 'Run the embedded default: generated tiny CLIP and SigLIP encoders on the bundled images',
  builder: (y) => y.option('cache', { type: 'string', default: '.cache/quickstart', describe: 'where the generated models are written' }),
  handler: async (args) => {
    const images = readdirSync(ASSETS).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(ASSETS, f));
    for (const arch of ['clip-vit', 'siglip-vit'] as const) {
      const dir = join(args.cache, `${arch}-tiny`);
      if (!existsSync(join(dir, 'config.json'))) makeVitModel({ arch, preset: 'tiny', seed: 0, out: dir });
      const encoder = await VitEncoder.load(dir, { features: LLAVA_FEATURES });
      console.log(`\n== ${arch} tiny (${dir}): the features LLaVA takes (penultimate block, no class token)`);
      await encodeAndReport(encoder, images, { batch: 4, pad: 'none' });
    }
  },
};
