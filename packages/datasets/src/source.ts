/** One image as a loader yields it. Loaders add their own fields (question, answers, captions, …). */
export interface ImageRecord {
  /** The record's id in its dataset (image id, question id or entry id). */
  id: string;
  /** Where the image should be; loaders never check that it is there (the sampler and `checkSource` do). */
  imagePath: string;
  /** 'coco' | 'vg' | 'ocr_vqa' | 'textvqa' | 'gqa' | 'llava_mix' | 'folder' */
  source: string;
  width?: number;
  height?: number;
  [extra: string]: unknown;
}

/** A stream of records, read again from the files on each call of `records()`. */
export interface ImageSource<R extends ImageRecord = ImageRecord> {
  /** Unique among the sources handed to the sampler (e.g. `coco/val2014`); stratified weights use it. */
  readonly name: string;
  records(): AsyncIterable<R>;
}
