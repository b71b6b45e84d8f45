import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { COCO_SPLITS, cocoAnnotationFiles, cocoSource } from './coco.ts';
import { gqaQuestionFiles, gqaSource, gqaSplits } from './gqa.ts';
import { LLAVA_MIX_FILE, llavaMixSource } from './llava-mix.ts';
import { ocrVqaSource } from './ocr-vqa.ts';
import type { ImageSource } from './source.ts';
import { TEXTVQA_SPLITS, textVqaOcrFile, textVqaQuestionsFile, textVqaSource } from './textvqa.ts';
import { vgSource } from './visual-genome.ts';

/** One dataset of the standard layout under a root: the annotation files found and a source per split. */
export interface FoundDataset {
  name: string;
  /** What the layout expects, relative to the root (for "not found" messages). */
  expected: string;
  /** Annotation files found (absolute paths). */
  files: string[];
  /** One per split found; empty when the dataset is absent. */
  sources: ImageSource[];
}

/**
 * The datasets of the standard layout under `root` (see the README): coco/, vg/, ocr_vqa/,
 * textvqa/, gqa/ and the LLaVA mix JSON, whose image paths are relative to `root` itself.
 * Every dataset is listed, found or not.
 */
export function findDatasets(root: string): FoundDataset[] {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new DymuError('not a directory', { file: root });
  return [coco(join(root, 'coco')), vg(join(root, 'vg')), ocrVqa(join(root, 'ocr_vqa')), textVqa(join(root, 'textvqa')), gqa(join(root, 'gqa')), llavaMix(root)];
}

const existing = (files: string[]): string[] => files.filter((f) => existsSync(f));

function coco(dir: string): FoundDataset {
  const splits = COCO_SPLITS.map((split) => ({ split, files: cocoAnnotationFiles(dir, split) })).filter(({ files }) => files.instances || files.captions);
  return {
    name: 'coco',
    expected: 'coco/annotations/instances_<split>.json or captions_<split>.json, images in coco/<split>/',
    files: splits.flatMap(({ files }) => [files.instances, files.captions].filter((f) => f !== undefined)),
    sources: splits.map(({ split }) => cocoSource({ root: dir, split })),
  };
}

function vg(dir: string): FoundDataset {
  const imageData = join(dir, 'image_data.json');
  const files = existing([imageData, join(dir, 'question_answers.json')]);
  return { name: 'vg', expected: 'vg/image_data.json, images in vg/VG_100K/ and vg/VG_100K_2/', files, sources: existsSync(imageData) ? [vgSource({ root: dir })] : [] };
}

function ocrVqa(dir: string): FoundDataset {
  const files = existing([join(dir, 'dataset.json')]);
  return { name: 'ocr_vqa', expected: 'ocr_vqa/dataset.json, images in ocr_vqa/images/', files, sources: files.length ? [ocrVqaSource({ root: dir })] : [] };
}

function textVqa(dir: string): FoundDataset {
  const splits = TEXTVQA_SPLITS.filter((split) => existsSync(textVqaQuestionsFile(dir, split)));
  return {
    name: 'textvqa',
    expected: 'textvqa/TextVQA_0.5.1_<split>.json, images in textvqa/train_images/ and textvqa/test_images/',
    files: TEXTVQA_SPLITS.flatMap((split) => existing([textVqaQuestionsFile(dir, split), textVqaOcrFile(dir, split)])),
    sources: splits.map((split) => textVqaSource({ root: dir, split })),
  };
}

function gqa(dir: string): FoundDataset {
  const splits = gqaSplits(dir);
  return {
    name: 'gqa',
    expected: 'gqa/questions1.2/<split>_questions.json, images in gqa/images/',
    files: splits.flatMap((split) => gqaQuestionFiles(dir, split)),
    sources: splits.map((split) => gqaSource({ root: dir, split })),
  };
}

function llavaMix(root: string): FoundDataset {
  const files = existing([join(root, LLAVA_MIX_FILE), join(root, 'LLaVA-Instruct-150K', LLAVA_MIX_FILE)]).slice(0, 1);
  return {
    name: 'llava_mix',
    expected: `${LLAVA_MIX_FILE} or LLaVA-Instruct-150K/${LLAVA_MIX_FILE}, image paths relative to the root`,
    files,
    sources: files.map((file) => llavaMixSource({ file, imageRoot: root })),
  };
}
