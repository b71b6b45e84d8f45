import { ContainerModule } from 'inversify';
import { cocoSource, COCO_SPLITS, folderSource, gqaSource, llavaMixSource, ocrVqaSource, textVqaSource, TEXTVQA_SPLITS, vgSource, type ImageSource } from '@dymu/datasets';
import { Check } from '../config/check.ts';
import { DATASETS, type DatasetContext, type DatasetPlugin } from './tokens.ts';

/** A dataset plugin whose parameters (`keys`) are read with a Check: errors name the entry's file and field. */
export function datasetPlugin(
  name: string,
  keys: readonly string[],
  open: (p: Record<string, unknown>, check: Check, context: DatasetContext) => ImageSource | Promise<ImageSource>,
): DatasetPlugin {
  return {
    name,
    open: (params, context) => {
      const check = new Check(context.origins);
      return open(check.record(params, [], keys), check, context);
    },
  };
}

const optional = <T>(value: unknown, read: () => T): T | undefined => (value === undefined ? undefined : read());

/** The loaders of @dymu/datasets by name, their options as parameters (README of @dymu/datasets). */
const DATASET_PLUGINS: readonly DatasetPlugin[] = [
  datasetPlugin('folder', ['dir'], (p, c) => folderSource(c.string(p.dir, ['dir']))),
  datasetPlugin('coco', ['root', 'split', 'captions'], (p, c) =>
    cocoSource({ root: c.string(p.root, ['root']), split: c.oneOf(p.split, COCO_SPLITS, ['split']), captions: optional(p.captions, () => c.boolean(p.captions, ['captions'])) }),
  ),
  datasetPlugin('vg', ['root', 'questions'], (p, c) => vgSource({ root: c.string(p.root, ['root']), questions: optional(p.questions, () => c.boolean(p.questions, ['questions'])) })),
  datasetPlugin('ocr_vqa', ['root', 'split'], (p, c) => ocrVqaSource({ root: c.string(p.root, ['root']), split: optional(p.split, () => c.oneOf(p.split, ['train', 'val', 'test'] as const, ['split'])) })),
  datasetPlugin('textvqa', ['root', 'split'], (p, c) => textVqaSource({ root: c.string(p.root, ['root']), split: c.oneOf(p.split, TEXTVQA_SPLITS, ['split']) })),
  datasetPlugin('gqa', ['root', 'split'], (p, c) => gqaSource({ root: c.string(p.root, ['root']), split: c.string(p.split, ['split']) })),
  datasetPlugin('llava_mix', ['file', 'imageRoot'], (p, c) => llavaMixSource({ file: c.string(p.file, ['file']), imageRoot: optional(p.imageRoot, () => c.string(p.imageRoot, ['imageRoot'])) })),
];

/** Registers the @dymu/datasets loaders under DATASETS. */
export const datasetsModule = (): ContainerModule => new ContainerModule(({ bind }) => {
  for (const plugin of DATASET_PLUGINS) bind(DATASETS).toConstantValue(plugin);
});
