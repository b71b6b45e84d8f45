import type { CommandModule } from 'yargs';

export interface CheckArgs {
  root: string;
  decode: boolean;
  examples: number;
}

/**
 * Per dataset of the standard layout under ROOT: annotation files found, then per split records,
 * images and bad images. Then per benchmark of the layout (`eval/…`): its files and image folders,
 * and when they are all there, its questions and missing images.
 */
const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <root>',
  describe: 'Report the datasets and benchmarks found under ROOT: annotation files, records, questions, images, what is missing',
  builder: (y) =>
    y
      .positional('root', { type: 'string', demandOption: true, describe: 'folder in the standard layout (coco/, vg/, ocr_vqa/, textvqa/, gqa/, llava_v1_5_mix665k.json, eval/<benchmark>/)' })
      .option('decode', { type: 'boolean', default: false, describe: "also read each image's header with sharp (slower)" })
      .option('examples', { type: 'number', default: 5, describe: 'paths shown per problem' }) as never,
  handler: (args) => import('../handlers/data.ts').then((h) => h.checkData(args)),
};

export const dataCommand: CommandModule = {
  command: 'data <command>',
  describe: 'Inspect the datasets on disk',
  builder: (y) => y.command(checkCommand).demandCommand(1, 'Name a data command (see dymu data --help).'),
  handler: () => {},
};
