import { relative, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { DymuError } from '@dymu/core';
import { checkSource, findDatasets, type Problems } from '@dymu/datasets';

interface CheckArgs {
  root: string;
  decode: boolean;
  examples: number;
}

/** Per dataset of the standard layout under ROOT: annotation files found, then per split records, images and bad images. */
const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <root>',
  describe: 'Report the datasets found under ROOT: annotation files, records, images, missing images',
  builder: (y) =>
    y
      .positional('root', { type: 'string', demandOption: true, describe: 'folder in the standard layout (coco/, vg/, ocr_vqa/, textvqa/, gqa/, llava_v1_5_mix665k.json)' })
      .option('decode', { type: 'boolean', default: false, describe: "also read each image's header with sharp (slower)" })
      .option('examples', { type: 'number', default: 5, describe: 'paths shown per problem' }) as never,
  handler: async (args) => {
    const root = resolve(args.root);
    const shown = (path: string): string => relative(root, path);
    const problems = (what: string, p: Problems): string => (p.count === 0 ? '' : `, ${p.count} ${what} (${p.examples.map(shown).join(', ')}${p.count > p.examples.length ? ', …' : ''})`);
    const datasets = findDatasets(root);
    console.log(`datasets under ${root}`);
    for (const dataset of datasets) {
      if (dataset.files.length === 0) {
        console.log(`${dataset.name}: not found (expected ${dataset.expected})`);
        continue;
      }
      console.log(`${dataset.name}: ${dataset.files.map(shown).join(', ')}`);
      for (const source of dataset.sources) {
        const t0 = performance.now();
        try {
          const c = await checkSource(source, { decode: args.decode, examples: args.examples });
          const seconds = ((performance.now() - t0) / 1000).toFixed(1);
          console.log(`  ${c.name}: ${c.records} records, ${c.images} images${problems('missing', c.missing)}${problems('undecodable', c.undecodable)} [${seconds} s]`);
        } catch (error) {
          if (!(error instanceof DymuError)) throw error;
          console.log(`  ${source.name}: error: ${error.message}`);
          process.exitCode = 1;
        }
      }
    }
  },
};

export const dataCommand: CommandModule = {
  command: 'data <command>',
  describe: 'Inspect the datasets on disk',
  builder: (y) => y.command(checkCommand).demandCommand(1, 'Name a data command (see dymu data --help).'),
  handler: () => {},
};
